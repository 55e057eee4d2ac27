"""Client TLS for the mailbox and the relay: the server's certificate is always checked.

There is deliberately no way to turn verification off. A server with a certificate
from a private (or self-signed) CA is trusted by putting that CA in the section's
`ca_file`; anything else is refused with a one-line reason that names the server,
because a silently unverified connection hands the mailbox password to whoever can
answer on the port.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from pathlib import Path

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH: the
# certificate is fine, but made out for another name. The fix differs (host, not CA).
_NAME_MISMATCH_CODES = frozenset({62, 64})


class TlsError(ConnectionError):
    """TLS with a server failed or was not offered; the message says which server and why.

    A ConnectionError, so the IMAP loop and the outbox retry it like an unreachable
    server: the operator may fix the certificate without restarting the daemon.
    """


def client_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying client context: the CAs in `ca_file` only, else the system store.

    With `ca_file` the system store is not consulted: a company CA configured for one
    server should not widen, nor be widened by, what else the machine trusts.
    """
    try:
        # Purpose SERVER_AUTH: CERT_REQUIRED, check_hostname, TLS 1.2 at least.
        return ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        # A bad bundle is a configuration error, but it is found on connect (a file
        # that exists when the config is loaded may still hold no certificate).
        raise TlsError(f"cannot load ca_file {ca_file}: {_one_line(exc)}") from exc


@contextlib.contextmanager
def named_tls_failures(server: str, section: str) -> Iterator[None]:
    """Re-raise a failed handshake as a TlsError that says what to fix.

    `server` names the peer ("imap 127.0.0.1:993"), `section` the config section
    whose ca_file would trust it ("imap").
    """
    try:
        yield
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or _one_line(exc)
        if exc.verify_code in _NAME_MISMATCH_CODES:
            raise TlsError(
                f"{server}: TLS certificate host name mismatch: {reason}"
                f" (is [{section}] host the name on the certificate?)"
            ) from exc
        raise TlsError(
            f"{server}: TLS certificate not trusted: {reason} (set [{section}] ca_file?)"
        ) from exc
    except ssl.SSLError as exc:  # e.g. security = "ssl" on a port that speaks plain text
        raise TlsError(f"{server}: TLS handshake failed: {_one_line(exc)}") from exc


def starttls_not_offered(server: str) -> TlsError:
    """The error for a server that does not announce STARTTLS: never go on in plain text
    (an attacker on the path can strip the announcement)."""
    return TlsError(
        f'{server}: server does not offer STARTTLS (security = "starttls");'
        " refusing to continue in plain text"
    )


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
