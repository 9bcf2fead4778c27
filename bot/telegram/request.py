"""PTB's HTTP transport on aiohttp instead of httpx.

Under a burst of button presses the bot makes one answerCallbackQuery per press. httpx/httpcore's
connection pool re-scans every connection for every queued request (quadratic in the queue), which
made the transport the bot's hot spot: a few hundred calls per second on one core. aiohttp (which
the webhook server uses anyway) keeps a free-connection list and sends a small JSON body per call.
"""

from __future__ import annotations

import json
import time

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.metrics import observe_api

# A timeout argument: a number, None (no limit), or BaseRequest.DEFAULT_NONE (not passed: use ours).
# Spelled without PTB's private ``telegram._utils`` types, which may move in any release.
Timeout = float | None | object


def _given(value: Timeout, default: float | None) -> float | None:
    """``value`` unless PTB left it unset (``BaseRequest.DEFAULT_NONE``, its documented marker)."""
    return default if value is BaseRequest.DEFAULT_NONE else value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` with one keep-alive aiohttp session."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
    )

    def __init__(
        self,
        pool_size: int = 128,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 30.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, limit_per_host=self._pool_size, keepalive_timeout=60.0
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        files = request_data.multipart_data if request_data and request_data.contains_files else None
        if files and read is not None:  # uploading a chart takes longer than a small call
            read = max(read, self._media_write_timeout)
        # aiohttp's ``connect`` covers waiting for a pooled connection and opening a new one.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=(pool or 0.0) + (connect or 0.0) or None, sock_read=read
        )
        kwargs: dict = {}
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            kwargs["data"] = form
        elif request_data is not None:  # a JSON body with nested objects as objects
            kwargs["data"] = json.dumps(request_data.parameters, separators=(",", ":")).encode()
            kwargs["headers"] = {"Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            async with session.request(method, url, timeout=timeout, **kwargs) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:  # the URL holds the bot token: never in the message
            raise NetworkError(
                f"aiohttp.{type(exc).__name__}: {str(exc).replace(url, '<Bot API URL>')}"
            ) from exc
        finally:  # the method is the URL's last part (the token is in the part before it)
            observe_api("telegram", url.rsplit("/", 1)[-1], time.perf_counter() - started)
