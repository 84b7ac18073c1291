"""A loopback TCP proxy that can go silent: "the database stopped answering" on demand.

``Blackhole(host, port)`` listens on an ephemeral loopback port and relays every
connection to ``host:port``. ``hold()`` makes it silent: connections are still accepted
(the kernel does that anyway) but no byte moves in either direction, so a client waits for
an answer that does not come. ``release()`` moves what was held and carries on, as a
network that comes back does.

What it cannot show: bytes sent into a held connection are still acknowledged by this
machine's kernel, so a client's tcp_user_timeout (unacknowledged data) never fires here.
Only the client's own clocks do: libpq's connect timeout for a new connection, and the
health probe's wait.
"""

from __future__ import annotations

import select
import socket
import threading


class Blackhole:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="blackhole").start()

    def hold(self) -> None:
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self._closed.set()
        self._flowing.set()
        for sock in [self._listener, *self._sockets]:
            try:
                sock.close()
            except OSError:
                pass

    def __enter__(self) -> Blackhole:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                if self._closed.is_set():
                    return
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy source to sink while flowing; while held, read nothing (bytes wait in the
        kernel buffers, as retransmitted packets would)."""
        try:
            while not self._closed.is_set():
                if not self._flowing.wait(0.05):
                    continue
                ready, _, _ = select.select([source], [], [], 0.05)
                if not ready or not self._flowing.is_set():
                    continue
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
