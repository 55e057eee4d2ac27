"""A throwaway PostgreSQL cluster the tests may restart and stop (fault injection).

The machine's own server (127.0.0.1:5432) is shared by every test, so it is never
restarted; this one lives in a temp dir on a free port. initdb refuses to run as root,
so the cluster belongs to the `postgres` user, who must be able to enter every parent
directory of the data dir (hence mkdtemp + chmod 0755, not pytest's 0700 tmp_path).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from servers import free_port


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return Path(found[-1]).parent


class PgCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="oo-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.port = free_port()
        self.bin = _bin_dir()
        shutil.chown(self.root, "postgres", "postgres")

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        return subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=check,
            stdin=subprocess.DEVNULL,
        )

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60",
            "-l", str(self.root / "server.log"), *extra,
        )

    def init(self, listen: str = "127.0.0.1") -> PgCluster:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '{listen}'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\n"
            )
        return self

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def is_up(self) -> bool:
        try:
            with psycopg.connect(self.conninfo("postgres"), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def destroy(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate",
            check=False,
        )
        deadline = time.monotonic() + 10
        while self.is_up() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)
