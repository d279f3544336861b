"""What every benchmark shares: its own PostgreSQL database, production settings, gunicorn and wrk."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import Browser, Gunicorn, manage, production_env  # noqa: E402

__all__ = [
    "Browser",
    "Gunicorn",
    "manage",
    "prepare",
    "shell",
    "static_copy_of_page",
    "wrk",
    "workers",
    "print_table",
    "print_throughput",
]

# Where benchmark databases live; each script uses <this>_<name>, dropped and created afresh.
DATABASE_URL_BASE = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oncosite_bench")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))


def workers() -> int:
    return int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1) + 1))


def fresh_database(name: str) -> str:
    import psycopg2

    url = f"{DATABASE_URL_BASE}_{name}"
    parts = urlsplit(url)
    db_name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(maintenance)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db_name}"')
    conn.close()
    return url


def prepare(name: str, **env_overrides: str) -> dict[str, str]:
    """A fresh database, migrated, and static files collected: the environment of a production app server."""
    static_root = tempfile.mkdtemp(prefix=f"oncosite-bench-{name}-")
    env = production_env(DATABASE_URL=fresh_database(name), DJANGO_STATIC_ROOT=static_root, **env_overrides)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    print(f"== {name}: database {env['DATABASE_URL'].rsplit('/', 1)[-1]}, {workers()} gunicorn workers", flush=True)
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    return env


def static_copy_of_page(env: dict[str, str], page: str) -> tuple[bytes, str]:
    """The page as one server renders it, put among the static files (before the measured server starts, so
    whitenoise serves it from memory like any static file): its bytes, and its path under /static/."""
    server = Gunicorn(env, workers=1).start()
    html = Browser(server.url).get(page).text.encode()
    server.stop()
    name = page.strip("/").rsplit("/", 1)[-1] or "home"
    static_copy = Path(env["DJANGO_STATIC_ROOT"]) / "bench" / f"{name}.html"
    static_copy.parent.mkdir(parents=True, exist_ok=True)
    static_copy.write_bytes(html)
    return html, f"/static/bench/{name}.html"


def shell(env: dict[str, str], code: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def wrk(url: str, *, seconds: int = SECONDS, connections: int = 16, headers: dict | None = None, bust: bool = False):
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(REPO / "bench" / "report.lua"), url]
    if bust:
        command += ["--", "bust"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    return json.loads(line.removeprefix("WRKJSON "))


def print_table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def print_throughput(page: str, size: int, results: dict[str, dict], static_row: str, decimals: int = 1) -> float:
    """The wrk results as a table of req/s against the static file's (row `static_row`); returns its req/s."""
    static_rps = results[static_row]["rps"]
    print(f"\nPage {page}: {size} bytes; {workers()} workers; wrk 2 threads, 16 connections, {SECONDS}s each\n")
    rows = [
        (name, f"{r['rps']:.0f}", f"{r['rps'] / static_rps:.2f}", f"{r['p50']:.{decimals}f}",
         f"{r['p99']:.{decimals}f}", r["non_2xx_3xx"] + r["socket_errors"])
        for name, r in results.items()
    ]  # fmt: skip
    print_table(rows, ("served", "req/s", "vs static", "p50 ms", "p99 ms", "errors"))
    return static_rps
