"""Real app servers for tests and benchmarks: gunicorn with the production settings, and a small HTTP client.

The client keeps cookies itself (ignoring the Secure flag, as a TLS-terminating proxy in front would let the
browser send them) and reads forms, hidden fields included, the way a browser does.
"""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    # SERVER_PORTS="8200-8299" keeps parallel runs on one machine apart.
    first, last = (int(p) for p in os.environ.get("SERVER_PORTS", "8100-8199").split("-"))
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {first}-{last}")


def stop_process(process: subprocess.Popen | None) -> None:
    """Ask a server to stop, and make it stop if it has not within ten seconds."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Production leaves a failed Redis alone for 5 s; tests of outages do not wait that long.
REDIS_RETRY_SECONDS = 0.2


def redis_cache_settings(url: str) -> dict:
    """CACHES for the app with its Redis at `url`, as production configures them (a test's own redis-server)."""
    options = {"RETRY_SECONDS": REDIS_RETRY_SECONDS}
    return {
        "default": {
            "BACKEND": "oncosite.redis_cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {**options, "ON_RECOVERY": "tumours.cache.drop_public_pages"},
        },
        "ratelimit": {"BACKEND": "oncosite.redis_cache.LocalFallbackRedisCache", "LOCATION": url, "OPTIONS": options},
    }


def redis_url_for_tests(offset: int) -> str:
    # Each test module that talks to Redis owns a database of its own, flushed at will;
    # TEST_REDIS_DB_BASE="8" keeps parallel runs on one machine apart, as SERVER_PORTS does for ports.
    return f"redis://127.0.0.1:6379/{int(os.environ.get('TEST_REDIS_DB_BASE', '6')) + offset}"


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production app server on loopback: plain HTTP, so no HTTPS redirect."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="oncosite.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True)  # noqa: S603


class Gunicorn:
    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 2, threads: int = 1):
        self.env, self.port = env, port or free_port()
        self.workers, self.threads = workers, threads
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> "Gunicorn":
        command = [
            sys.executable, "-m", "gunicorn", "oncosite.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--threads", str(self.threads),
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env)  # noqa: S603 - fixed command
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if Browser(self.url).get("/healthz").status in (200, 503):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    url: str

    def forms(self) -> list["Form"]:
        parser = FormParser()
        parser.feed(self.text)
        return parser.forms


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self, **changes: str) -> list[tuple[str, str]]:
        """What a browser would send, with the given fields set (replacing what the page filled in)."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        return kept + list(changes.items())


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=a.get("action") or "", method=(a.get("method") or "get").lower()))
        elif not self.forms or "name" not in a and tag in ("input", "textarea", "select"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a or kind in ("submit", "button", "file", "image"):
                return
            self.forms[-1].fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1].fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that may follow <textarea>.
            self.forms[-1].fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        url = urljoin(self.base_url, path)
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        all_headers = {"Host": f"{parts.hostname}:{parts.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body, all_headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text, url)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: list[tuple[str, str]] | dict) -> Response:
        body = urlencode(data).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def submit(self, page: Response, index: int = -1, **changes: str) -> Response:
        """Fill in and send a form of the page, as a visitor pressing its button."""
        form = page.forms()[index]
        return self.post(urljoin(page.url, form.action or page.url), form.values(**changes))

    def log_in(self, username: str, password: str, code: Callable[[], str] | None = None) -> Response:
        """The admin login; then, where the site asks for a second factor, the code that code() gives."""
        page = self.get("/admin/login/?next=/admin/")
        response = self.submit(page, username=username, password=password)
        if code is None or response.status != 302:
            return response
        asked = self.get(response.headers["Location"])  # the admin sends a password-only session to the code page
        if "/admin/two-factor/" in (asked.headers.get("Location") or ""):
            page = self.get(asked.headers["Location"])
            index = next(i for i, form in enumerate(page.forms()) if any(n == "code" for n, _ in form.fields))
            response = self.submit(page, index, code=code())
        return response


class TcpProxy:
    """A switchable TCP forwarder: put it between app servers and PostgreSQL to take the database away."""

    def __init__(self, target_host: str, target_port: int, port: int | None = None):
        self.target = (target_host, target_port)
        self.port = port or free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> "TcpProxy":
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """The database 'goes down': new connections are refused and open ones are cut."""
        with self._lock:
            sockets, self._sockets = self._sockets, set()
            if self._listener:
                sockets.add(self._listener)
                self._listener = None
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class RedisServer:
    """A Redis of the test's own on a free port, which the test may stop and start again (the shared one on 6379
    is never touched). Nothing is saved to disk: a restarted server is empty, as a restarted cache would be."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> "RedisServer":
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed command
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
