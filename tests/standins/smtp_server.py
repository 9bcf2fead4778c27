"""A real SMTP server on loopback (aiosmtpd) for the e-mail reminder tests and the bench.

It runs in a thread of its own (aiosmtpd's Controller), speaks STARTTLS or implicit TLS with a
certificate made for the test (trustme), checks a login, and can be told to misbehave the way
real servers do: answer 4xx (greylisting, "try again") or 5xx (no such user, message refused)
to a given recipient, drop the connection in the middle of a message (after the data, before
its answer: the message is then *not* accepted, as a real server does not deliver a message it
did not acknowledge), and refuse with 451 more than ``rate`` messages in any second.
"""

from __future__ import annotations

import collections
import email
import email.policy
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "dialogbot", "smtp-test-password-0123"
# Implicit TLS and the plain loopback of the bench log in without STARTTLS, on purpose.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS", category=UserWarning)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    sender: str
    to: str
    raw: bytes
    at: float

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    rate: float | None = None  # messages accepted per second at most (451 above it)
    received: list[Received] = field(default_factory=list)
    # per recipient: a list of what to do with its next messages: "450", "550", "451", "554", "drop"
    faults: dict[str, list[str]] = field(default_factory=dict)
    refused: collections.Counter[str] = field(default_factory=collections.Counter)
    dropped: int = 0
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Called (in the server's thread) with each message accepted, before the 250 goes back: e.g.
    # to end a sending process between the server's acceptance and the process's record.
    on_accepted: Callable[[Received], None] | None = None
    _accepted_at: collections.deque[float] = field(default_factory=collections.deque)

    def _next_fault(self, address: str, stage: str) -> str | None:
        with self.lock:
            plan = self.faults.get(address)
            if not plan:
                return None
            fault = plan[0]
            at_rcpt = fault in ("450", "550")
            if at_rcpt != (stage == "rcpt"):
                return None
            plan.pop(0)
            return fault

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        fault = self._next_fault(address, "rcpt")
        if fault == "450":
            self.refused["450"] += 1
            return "450 4.2.1 Mailbox busy, try again later"
        if fault == "550":
            self.refused["550"] += 1
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        to = envelope.rcpt_tos[0]
        fault = self._next_fault(to, "data")
        if fault == "drop":
            with self.lock:
                self.dropped += 1
            server.transport.abort()  # gone before the answer: not accepted
            return "451 never seen"
        if fault in ("451", "554"):
            self.refused[fault] += 1
            return f"{fault} {'4.3.0 Try again later' if fault == '451' else '5.7.1 Message refused'}"
        now = time.monotonic()
        with self.lock:
            if self.rate is not None:
                while self._accepted_at and self._accepted_at[0] <= now - 1.0:
                    self._accepted_at.popleft()
                if len(self._accepted_at) >= self.rate:
                    self.refused["rate"] += 1
                    return "451 4.7.0 Too many messages, slow down"
                self._accepted_at.append(now)
            received = Received(envelope.mail_from, to, envelope.original_content or b"", now)
            self.received.append(received)
        if self.on_accepted is not None:
            self.on_accepted(received)
        return "250 2.0.0 Ok: queued"


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    if ok:
        server.event_handler.logins += 1
    return AuthResult(success=ok)


class SmtpStandIn:
    """``security``: "starttls" (TLS required before login), "ssl" (implicit TLS) or "none"."""

    def __init__(
        self,
        security: str = "none",
        *,
        rate: float | None = None,
        server_context: ssl.SSLContext | None = None,
        auth: bool = True,
    ) -> None:
        self.handler = Handler(rate=rate)
        self.port = free_port()
        options: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port, "ready_timeout": 10.0}
        if auth:
            options.update(
                authenticator=authenticator, auth_required=True, auth_require_tls=security == "starttls"
            )  # aiosmtpd cannot tell implicit TLS
        if security == "starttls":
            options.update(tls_context=server_context, require_starttls=True)
        elif security == "ssl":
            options.update(ssl_context=server_context)
        self.controller = Controller(self.handler, **options)

    def __enter__(self) -> SmtpStandIn:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def recipients(self) -> collections.Counter[str]:
        with self.handler.lock:
            return collections.Counter(r.to for r in self.handler.received)
