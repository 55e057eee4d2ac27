"""A daemon holding mails (MailHolds) whose host dies without closing its TCP
connection: power lost, or cut off the network (review23a, issue 18).

Its mails are left by every other daemon for as long as its advisory lock lives, and
that lock lives as long as the server keeps its session. With nothing closing the
connection, the server learns of the dead peer only from TCP: with Linux's defaults
(first keepalive probe after 7200 s) intake of those mails stopped for over two hours.
The holder's session asks for probes (repository.new_holder): it ends within
a minute, and the mails are taken up again.

The dead host is a network namespace on a veth pair to a throwaway cluster listening
on the pair's address: the holder takes a mail up from there, the namespace's end of
the pair goes down, and the holder is killed (its FIN goes nowhere). Needs root, `ip`
and veth (the machine's own server listens on loopback only, and nothing else here
can silence one TCP connection)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pg_cluster import PgCluster
from sqlalchemy import create_engine

from daemon.store import repository
from daemon.store.migrate import upgrade

_WITHIN = 60  # seconds: a dead holder's mails are taken up again within this

_HOLDER = """
import sys, time
from datetime import UTC, datetime
from sqlalchemy import create_engine
from daemon.sources.holds import MailHolds
holds = MailHolds(create_engine(sys.argv[1]), "INBOX", 7)
with holds.transaction() as conn:
    assert holds.take_up(conn, [42], datetime.now(UTC)) == [42]
print("held", flush=True)
time.sleep(3600)
"""


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True, timeout=30)


@pytest.fixture
def dead_host() -> Iterator[tuple[str, str, str]]:
    """(namespace, its link, the host's address on the pair)."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 to make a host that dies")
    tag = f"{os.getpid() % 100000}"
    namespace, outer, inner = f"oo-dead-{tag}", f"oodh{tag}", f"oodn{tag}"
    net = f"10.{200 + os.getpid() % 50}.{os.getpid() % 250}"
    try:
        _ip("netns", "add", namespace)
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
    except subprocess.CalledProcessError as exc:
        _ip("netns", "del", namespace, check=False)
        pytest.skip(f"no network namespaces or veth here: {exc.stderr!r}")
    try:
        _ip("link", "set", inner, "netns", namespace)
        _ip("addr", "add", f"{net}.1/30", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("-n", namespace, "addr", "add", f"{net}.2/30", "dev", inner)
        _ip("-n", namespace, "link", "set", inner, "up")
        _ip("-n", namespace, "link", "set", "lo", "up")
        yield namespace, inner, f"{net}.1"
    finally:
        _ip("link", "del", outer, check=False)
        _ip("netns", "del", namespace, check=False)


@pytest.fixture
def cluster(dead_host: tuple[str, str, str]) -> Iterator[PgCluster]:
    found = PgCluster().init(listen=f"127.0.0.1, {dead_host[2]}")
    with (found.data / "pg_hba.conf").open("a") as hba:  # the namespace's end of the pair
        hba.write(f"host all postgres {dead_host[2].rsplit('.', 1)[0]}.2/32 trust\n")
    found.start()
    try:
        yield found
    finally:
        found.destroy()


def test_a_holder_whose_host_dies_lets_go_of_its_mails_within_the_bound(
    dead_host: tuple[str, str, str], cluster: PgCluster
) -> None:
    namespace, link, address = dead_host
    url = cluster.create_database("holders")
    engine = create_engine(url)
    upgrade(engine)
    remote = url.replace("@127.0.0.1:", f"@{address}:")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        ["ip", "netns", "exec", namespace, sys.executable, "-c", _HOLDER, remote],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n", holder.stderr.read() if holder.stderr else ""
        with engine.connect() as conn, conn.begin():
            other = repository.new_holder(conn)
            now = datetime.now(UTC)
            # Alive, it holds the mail: another daemon leaves it.
            assert repository.take_up_mails(conn, "INBOX", 7, [42], other, now) == []
        _ip("-n", namespace, "link", "set", link, "down")  # the host is gone ...
        holder.kill()  # ... and its process with it: the FIN goes nowhere
        holder.wait(10)
        died = time.monotonic()
        taken: list[int] = []
        while not taken and time.monotonic() - died < _WITHIN + 30:
            time.sleep(1)
            with engine.connect() as conn, conn.begin():
                taken = repository.take_up_mails(conn, "INBOX", 7, [42], other, now)
        waited = time.monotonic() - died
        assert taken == [42], f"the dead holder still held the mail after {waited:.0f} s"
        assert waited <= _WITHIN, waited
    finally:
        holder.kill()
        holder.wait(10)
        engine.dispose()
