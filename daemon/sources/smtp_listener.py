"""The embedded inbound SMTP listener (aiosmtpd), for local use and small setups.

It accepts mail only for the support address (no relaying), refuses oversize mail
at the protocol level, and answers 250 only after the mail is committed: a client
that got 250 can forget the mail, so we must not lose it after that point.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from daemon.clock import Clock
from daemon.inbound import InboundMail, Outcome
from daemon.pipeline import Pipeline
from daemon.settings import Settings

log = logging.getLogger(__name__)


class SupportMailHandler:
    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        pipeline: Pipeline,
        clock: Clock,
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self.support_address = settings.support.address.lower()
        self.engine = engine
        self.pipeline = pipeline
        self.clock = clock
        self.on_committed = on_committed
        self.in_flight = 0
        self.accepting = True

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self.accepting:
            return "421 4.3.2 Service shutting down, try again later"
        if address.lower() != self.support_address:
            return "550 5.7.1 Relaying denied: this server only accepts mail for support"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if not self.accepting:
            return "421 4.3.2 Service shutting down, try again later"
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        # Stored byte for byte as received: what was sent is what is kept.
        mail = InboundMail(raw=raw, source="smtp", received_at=self.clock())
        self.in_flight += 1
        try:
            [result] = await asyncio.to_thread(self.pipeline.ingest_batch, self.engine, [mail])
        except Exception:  # noqa: BLE001 - the database is down: the client keeps the mail
            log.exception("smtp ingest failed; answering 451 so the sender retries")
            return "451 4.3.0 Temporary failure, please try again later"
        finally:
            self.in_flight -= 1
        self.on_committed()
        if result.outcome is Outcome.DEFERRED:
            return "451 4.3.0 Cannot store this message now, please try again later"
        # Stored: as a case, on a case, or kept with a reason (ignored, rejected, a
        # recorded re-delivery). The reply says no more: which case a mail joined is
        # not for whoever can connect to port 25 to learn.
        return "250 2.0.0 OK"


async def start_listener(
    handler: SupportMailHandler, host: str, port: int, max_size: int
) -> asyncio.base_events.Server:
    """Serve on the running loop (not aiosmtpd's Controller thread)."""
    loop = asyncio.get_running_loop()

    def factory() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=max_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="oo-support",
            ident="oo-support",
        )

    server = await loop.create_server(factory, host=host, port=port)
    sockets: Any = server.sockets
    log.info("smtp listener on %s", ", ".join(str(s.getsockname()) for s in sockets))
    return server
