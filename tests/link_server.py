"""A real HTTP server on 127.0.0.1 for the link checker's tests: each path answers one way a linked site can."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port


@dataclass
class Seen:
    method: str
    path: str
    user_agent: str
    at: float


@dataclass
class LinkServer:
    """Paths: /ok (200), /moved (301 to /ok), /temporary (302 to /ok), /missing (404), /error (500), /slow (answers
    after `slow_seconds`), /no-head (405 to HEAD, 200 to GET), /wait (200 after 0.3 s, counting requests in flight).
    `broken` paths answer 404 whatever they are, to take a working link down."""

    slow_seconds: float = 3.0
    port: int = field(default_factory=free_port)
    seen: list[Seen] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> "LinkServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self):  # noqa: N802 - the library's name
                self.answer(body=False)

            def do_GET(self):  # noqa: N802
                self.answer(body=True)

            def answer(self, *, body: bool) -> None:
                server.seen.append(Seen(self.command, self.path, self.headers.get("User-Agent", ""), time.monotonic()))
                status, headers = server.route(self.command, self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                if body:
                    self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, method: str, path: str) -> tuple[int, dict]:
        if path in self.broken:
            return 404, {}
        if path == "/slow":
            time.sleep(self.slow_seconds)
        if path.startswith("/wait"):
            with self.lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            time.sleep(0.3)
            with self.lock:
                self.in_flight -= 1
        return {
            "/moved": (301, {"Location": "/ok"}),
            "/temporary": (302, {"Location": "/ok"}),
            "/missing": (404, {}),
            "/error": (500, {}),
            "/no-head": (405 if method == "HEAD" else 200, {}),
        }.get(path, (200, {}))

    def requests_for(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]
