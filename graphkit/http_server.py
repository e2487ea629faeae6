"""The HTTP layer of ``graphkit serve``: waitress, with a deadline on receiving a request.

waitress reads requests asynchronously and hands a request to a thread only once it is whole,
so slow clients hold no thread; it validates ``Content-Length`` (digits only), bounds bodies,
headers and open connections, and closes idle connections. Two things are added here:
- a request must arrive whole within ``read_timeout`` seconds of its first byte, however slowly
  its bytes drip (408, then the connection is closed);
- a client that closes its side before sending the body its ``Content-Length`` announced is
  answered 400 and logged in one line.
"""

from __future__ import annotations

import logging
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

log = logging.getLogger("graphkit.serve")


def _raw_reply(status: str, message: str) -> bytes:
    body = (message + "\n").encode("utf-8")
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii") + body


class Channel(HTTPChannel):
    """One connection; remembers when its current request began to arrive."""

    request_started = 0.0
    answered = False

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.monotonic()
        return super().received(data)

    def partial(self) -> bool:
        return self.request is not None and not self.request.completed

    def stop(self, status: str, message: str, why: str) -> None:
        """Answer ``status`` straight on the socket (the request never completed); the
        connection closes at the event loop's next turn."""
        if not self.answered:
            self.answered = True
            try:
                self.socket.send(_raw_reply(status, message))
            except OSError:
                pass
            log.warning("%s: %s", self.addr[0] if self.addr else "-", why)
        self.will_close = True

    def handle_close(self) -> None:
        if self.partial() and not self.answered and self.connected:
            r = self.request
            if r.headers_finished and r.content_length:
                got = r.body_rcv.remain if r.body_rcv is not None else 0
                self.stop("400 Bad Request",
                          f"the body ended after {r.content_length - got} of the "
                          f"{r.content_length} bytes its Content-Length announced",
                          "client closed the connection before its request body was complete")
            else:
                self.answered = True
                log.info("%s: client closed the connection in the middle of a request",
                         self.addr[0] if self.addr else "-")
        super().handle_close()


class Server(TcpWSGIServer):
    channel_class = Channel
    read_timeout = 10.0

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections (channel_timeout)
        late = time.monotonic() - self.read_timeout
        for channel in list(self.active_channels.values()):
            if isinstance(channel, Channel) and channel.partial() and \
                    channel.request_started < late:
                channel.stop("408 Request Timeout",
                             f"the request did not arrive whole within {self.read_timeout:g} s",
                             f"request not complete after {self.read_timeout:g} s; closed")


def create(app, host: str, port: int, settings) -> Server:
    """A listening server for ``app`` (``run()`` serves until interrupted)."""
    adj = Adjustments(
        host=host, port=port, threads=max(4, 2 * settings.workers),
        connection_limit=settings.max_connections, channel_timeout=settings.idle_timeout,
        cleanup_interval=1, backlog=128, max_request_body_size=1_000_000,
        max_request_header_size=65_536, ident="graphkit-sparql", expose_tracebacks=False,
        clear_untrusted_proxy_headers=True)
    server = Server(app, map={}, adj=adj)
    server.read_timeout = settings.read_timeout
    return server
