"""A court's network to the province's server, simulated on one machine: a TCP proxy in front of a
PostgreSQL server that delivers every chunk, either way, half a round trip after it was sent, and
sends no faster than the link's bandwidth.

    with Link(url, rtt_ms=20, mbit=20) as link:
        run(link.url, "today", "--officer", "C000-012")

A local socket hides what a command costs far from its server: each round trip (a statement, a
connection's start) costs the latency, and each byte sent costs bandwidth shared by the whole court.
"""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class Link:
    def __init__(self, url: str, *, rtt_ms: float, mbit: float):
        self.upstream = url
        self.delay = rtt_ms / 2000  # one way, in seconds
        self.bytes_per_second = mbit * 1e6 / 8
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Link:
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result()
        parts = urlsplit(self.upstream)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("host", "port")])
        user = parts.netloc.rpartition("@")[0]
        self.url = urlunsplit((parts.scheme, f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}",
                               parts.path, query, ""))
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _listen(self) -> int:
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return server.sockets[0].getsockname()[1]

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        parts = urlsplit(self.upstream)
        params = dict(parse_qsl(parts.query))
        host = params.get("host") or parts.hostname or "localhost"
        port = int(params.get("port") or parts.port or 5432)
        if host.startswith("/"):  # a server on a Unix socket, as tests/pgserver.py starts one
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, port)

    async def _connection(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        server_in, server_out = await self._open_upstream()
        await asyncio.gather(self._carry(client_in, server_out), self._carry(server_in, client_out))

    async def _carry(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """One direction of the link: each chunk leaves when the link is free and arrives ``delay`` later."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        free_at = 0.0

        async def deliver() -> None:
            while True:
                arrives, data = await queue.get()
                if not data:
                    sink.close()
                    return
                if arrives > loop.time():
                    await asyncio.sleep(arrives - loop.time())
                sink.write(data)
                await sink.drain()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await source.read(65536):
                free_at = max(free_at, loop.time()) + len(data) / self.bytes_per_second
                queue.put_nowait((free_at + self.delay, data))
        except ConnectionError:
            pass
        queue.put_nowait((0.0, b""))
        try:
            await delivering
        except ConnectionError:
            pass
