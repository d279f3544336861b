"""Faults: Redis, the database and the mail server each go away under load, and come back.

    .venv/bin/python bench/faults.py                 # all three; BENCH_FAULTS=redis,database,mail picks some

Gunicorn with the production settings on a scratch PostgreSQL database, its own redis-server (never the shared
one), the database reached through a switchable TCP proxy, and an SMTP sink on loopback, with the database
queue's worker (`manage.py db_worker`) sending the notifications. BENCH_CLIENTS clients (default 8) loop for
BENCH_FAULT_SECONDS (default 12): each loop fetches a public page (home, A-Z, the tumour page, a search) and
every fourth sends a test request (loads the form, posts it). The dependency goes away at 3 s and returns at
8 s. Printed per fault: requests sent, test requests posted and stored, answers 5xx, and the time to recover:
from the dependency's return until /healthz/strict answers 200 (Redis: and a page is cached in Redis again;
mail: and every notification queued before the mail server's return is sent, by `send_pending_notifications`
as the README says to run, which includes that command's start-up).
"""

import os
import socketserver
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from common import Browser, Gunicorn, prepare, print_table, shell, workers

from tests.servers import RedisServer, TcpProxy, free_port

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_FAULT_SECONDS", "12"))
DOWN_AT, UP_AT = 3.0, 8.0
PAGES = ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/search/?q=smooth+muscle"]
FORM = "/tumours/leiomyosarcoma/request-test/"


class SmtpSink:
    """Just enough SMTP to accept mail on loopback, counting the messages."""

    def __init__(self, port: int):
        self.port, self.received, self.server = port, 0, None

    def start(self) -> "SmtpSink":
        sink = self

        class Session(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink\r\n")
                for line in self.rfile:
                    command = line.strip().upper()
                    if command == b"DATA":
                        self.wfile.write(b"354 end with .\r\n")
                        for body_line in self.rfile:
                            if body_line in (b".\r\n", b".\n"):
                                break
                        sink.received += 1
                        self.wfile.write(b"250 queued\r\n")
                    elif command == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Session)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Load:
    sent: int = 0
    posted: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int, *, post: bool = False) -> None:
        with self.lock:
            self.sent += 1
            self.posted += post
            self.errors += status >= 500
            self.statuses[status] = self.statuses.get(status, 0) + 1


def client_loop(base_url: str, number: int, label: str, load: Load, until: float) -> None:
    browser = Browser(base_url)
    loop = 0
    while time.monotonic() < until:
        loop += 1
        try:
            load.count(browser.get(PAGES[loop % len(PAGES)]).status)
            if loop % 4 == 0:
                page = browser.get(FORM)
                load.count(page.status)
                if page.status == 200:
                    response = browser.submit(
                        page, requester_type="patient", full_name=f"Fault {label} {number}-{loop}",
                        email=f"fault{number}x{loop}@example.com", country="GB", consent="on",
                    )  # fmt: skip
                    load.count(response.status, post=True)
        except OSError:
            load.count(599)  # no answer at all
            time.sleep(0.05)


def wait_until(check, timeout: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.05)
    return float("inf")


def run_load(server: Gunicorn, label: str, down, up, recovered) -> tuple[Load, float]:
    load, started = Load(), time.monotonic()
    until = started + SECONDS
    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        futures = [pool.submit(client_loop, server.url, n, label, load, until) for n in range(CLIENTS)]
        time.sleep(DOWN_AT)
        down()
        time.sleep(UP_AT - DOWN_AT)
        up()
        recovery = wait_until(recovered)
        for future in futures:
            future.result()
    return load, recovery


def stored(env, label: str) -> int:
    code = f"from orders.models import TestRequest; print(TestRequest.objects.filter(full_name__startswith='Fault {label} ').count())"  # noqa: E501
    return int(shell(env, code).split()[-1])


def strict_health_ok(server) -> bool:
    return Browser(server.url).get("/healthz/strict").status == 200


def redis_fault(env) -> tuple:
    import redis

    cache = RedisServer().start()
    server = Gunicorn({**env, "REDIS_URL": cache.url}, workers=workers()).start()
    try:
        client = redis.Redis.from_url(cache.url)

        def cached_again():
            Browser(server.url).get("/tumours/")
            return client.dbsize() > 0 and strict_health_ok(server)

        load, recovery = run_load(server, "redis", cache.stop, cache.start, cached_again)
    finally:
        server.stop()
        cache.stop()
    return "Redis down", load, stored(env, "redis"), recovery


def database_fault(env) -> tuple:
    from urllib.parse import urlsplit

    target = urlsplit(env["DATABASE_URL"])
    proxy = TcpProxy(target.hostname, target.port or 5432).start()
    proxied = env["DATABASE_URL"].replace(target.netloc, f"{target.netloc.split('@')[0]}@127.0.0.1:{proxy.port}")
    server = Gunicorn({**env, "DATABASE_URL": proxied}, workers=workers()).start()
    try:
        load, recovery = run_load(server, "database", proxy.stop, proxy.start, lambda: strict_health_ok(server))
    finally:
        server.stop()
        proxy.stop()
    return "database down", load, stored(env, "database"), recovery


def mail_fault(env) -> tuple:
    import subprocess

    from common import REPO

    sink = SmtpSink(free_port()).start()
    mail_env = {**env, "DJANGO_EMAIL_HOST": "127.0.0.1", "DJANGO_EMAIL_PORT": str(sink.port)}
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"], cwd=REPO, env=mail_env)  # noqa: S603
    server = Gunicorn(mail_env, workers=workers()).start()
    mail_back_at = []

    def mail_back():
        sink.start()
        mail_back_at.append(time.time())

    def drained():
        # The README's step after a mail outage, then: is anything queued before the mail came back unsent?
        code = (
            "import datetime\n"
            "from django.core.management import call_command\n"
            "from orders.models import Notification\n"
            "call_command('send_pending_notifications')\n"
            f"back = datetime.datetime.fromtimestamp({mail_back_at[0]}, tz=datetime.UTC)\n"
            "print(Notification.objects.filter(state='queued', created_at__lte=back).count())"
        )
        return int(shell(mail_env, code).split()[-1]) == 0 and strict_health_ok(server)

    try:
        load, recovery = run_load(server, "mail", sink.stop, mail_back, drained)
    finally:
        server.stop()
        worker.terminate()
        worker.wait()
        sink.stop()
    return "mail down", load, stored(env, "mail"), recovery


FAULTS = {"redis": redis_fault, "database": database_fault, "mail": mail_fault}


def main() -> None:
    shared_cache = RedisServer().start()  # as in production; the Redis fault starts one of its own
    env = prepare(
        "faults",
        REDIS_URL=shared_cache.url,
        ORDER_RATE_LIMIT="1000000/h",
        SEARCH_RATE_LIMIT="1000000/m",
        ORDER_FORM_MIN_SECONDS="0",
        SALES_NOTIFICATION_EMAILS="sales@oncosite.example",
    )
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")
    chosen = os.environ.get("BENCH_FAULTS", ",".join(FAULTS)).split(",")
    rows = []
    for name in chosen:
        label, load, kept, recovery = FAULTS[name](env)
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(load.statuses.items()))
        rows.append((label, load.sent, load.posted, kept, load.errors, f"{recovery:.2f} s", statuses))
        print(f"   {label}: {statuses}", flush=True)
    shared_cache.stop()
    print()
    print(f"{CLIENTS} clients for {SECONDS:.0f} s, {workers()} workers; down at {DOWN_AT:.0f} s, back at {UP_AT:.0f} s")
    header = ("fault", "requests sent", "test requests posted", "stored", "answered 5xx", "time to recover", "answers")
    print_table(rows, header)


if __name__ == "__main__":
    main()
