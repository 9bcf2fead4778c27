"""A cuttable TCP proxy (asyncio) to put in front of PostgreSQL: a database outage on demand.

    proxy = await CuttableProxy("127.0.0.1", 5432).start()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/db"
    proxy.cut(5.0)            # every open connection is dropped, new ones refused for 5 s

Two kinds of outage, as a database restart or a network fault looks to a client:

* ``mode="refuse"`` (a restart): open connections are closed at once (the client reads EOF /
  "connection reset") and new connections are accepted and closed immediately, so the client's
  connect fails fast;
* ``mode="hang"`` (a partition): open connections stop carrying bytes and new connections are
  accepted but never answered, until the cut ends; the client sees only its own timeouts.

It runs on the loop that starts it, or in a thread of its own (``start_in_thread``) when the
clients run in other processes (a benchmark).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time


class CuttableProxy:
    """Forwards ``127.0.0.1:port`` to ``target_host:target_port`` until told to cut."""

    def __init__(self, target_host: str, target_port: int, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = port
        self.connections = 0  # accepted while open (for the test's own checks)
        self.cuts: list[tuple[float, float]] = []  # (start, end) monotonic times of every cut
        self._cut_until = 0.0
        self._mode = "refuse"
        self._writers: set[asyncio.StreamWriter] = set()
        self._resumed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> CuttableProxy:
        self._loop = asyncio.get_running_loop()
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._drop_all()
            self._resumed.set()  # connections held by a hang end now (their sockets are gone)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    async def __aenter__(self) -> CuttableProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self) -> CuttableProxy:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="tcp-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    # --- outages ------------------------------------------------------------------------
    @property
    def is_cut(self) -> bool:
        return time.monotonic() < self._cut_until

    def cut(self, seconds: float, mode: str = "refuse") -> None:
        """Start an outage of ``seconds`` (callable from any thread)."""
        if mode not in ("refuse", "hang"):
            raise ValueError("mode is 'refuse' or 'hang'")
        loop = self._loop
        assert loop is not None, "start the proxy first"
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._begin_cut(seconds, mode)
        else:
            loop.call_soon_threadsafe(self._begin_cut, seconds, mode)

    def _begin_cut(self, seconds: float, mode: str) -> None:
        start = time.monotonic()
        self._cut_until = start + seconds
        self._mode = mode
        self.cuts.append((start, self._cut_until))
        self._resumed.clear()
        if mode == "refuse":
            self._drop_all()
        assert self._loop is not None
        self._loop.call_later(seconds, self._end_cut)

    def _end_cut(self) -> None:
        if not self.is_cut:
            self._resumed.set()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            self._close(writer)

    def _close(self, writer: asyncio.StreamWriter) -> None:
        self._writers.discard(writer)
        transport = writer.transport
        with contextlib.suppress(Exception):
            transport.abort()  # a reset, like a server that went away

    # --- forwarding ---------------------------------------------------------------------
    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """One client connection; cancelled (the test's loop closing) it just ends.

        Python 3.11's start_server asks a finished handler task for its exception, and logs a
        cancelled one as an error with a traceback: noise in every test that used the proxy.
        """
        try:
            await self._forward(client_reader, client_writer)
        except asyncio.CancelledError:
            self._close(client_writer)

    async def _forward(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        if self.is_cut and self._mode == "refuse":
            self._close(client_writer)
            return
        self._writers.add(client_writer)
        await self._resumed.wait()  # a hung connect waits for the end of the cut
        if client_writer not in self._writers:
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._close(client_writer)
            return
        self._writers.add(server_writer)
        self.connections += 1
        pair = (client_writer, server_writer)
        await asyncio.gather(
            self._pipe(client_reader, server_writer, pair),
            self._pipe(server_reader, client_writer, pair),
            return_exceptions=True,
        )

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: tuple[asyncio.StreamWriter, asyncio.StreamWriter],
    ) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if not self._resumed.is_set():
                    await self._resumed.wait()  # a hung connection carries nothing until the end
                if writer not in self._writers:
                    break
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for end in pair:
                self._close(end)
