"""Benchmark 3: 2,000 valid test requests posted by 50 concurrent clients against PostgreSQL.

Each client loads the form first (reading every hidden field, as a browser would) and then posts it.
Checks: every request stored exactly once, no 5xx; prints requests per second.
The anti-abuse limits are opened for the run: ORDER_RATE_LIMIT high, ORDER_FORM_MIN_SECONDS=0.
"""

import os
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from common import Browser, Gunicorn, prepare, shell, workers

TOTAL = int(os.environ.get("BENCH_REQUESTS", "2000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
FORM = "/tumours/leiomyosarcoma/request-test/"


def send(base_url: str, number: int) -> tuple[int, int, float]:
    browser = Browser(base_url)
    page = browser.get(FORM)
    started = time.perf_counter()
    response = browser.submit(
        page,
        requester_type="patient",
        full_name=f"Intake Client {number:05d}",
        email=f"intake{number:05d}@example.com",
        country="GB",
        consent="on",
    )
    return page.status, response.status, (time.perf_counter() - started) * 1000


def main() -> None:
    env = prepare(
        "intake",
        ORDER_RATE_LIMIT=os.environ.get("BENCH_ORDER_RATE_LIMIT", "1000000/h"),
        ORDER_FORM_MIN_SECONDS="0",
    )
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")
    server = Gunicorn(env, workers=workers()).start()
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(lambda n: send(server.url, n), range(TOTAL)))
        elapsed = time.perf_counter() - started
    finally:
        server.stop()

    output = shell(
        env,
        "from django.db.models import Count\n"
        "from orders.models import TestRequest\n"
        "rows = TestRequest.objects.filter(full_name__startswith='Intake Client ')\n"
        "dupes = rows.values('full_name').annotate(n=Count('id')).filter(n__gt=1).count()\n"
        "print('STORED', rows.count(), rows.values('full_name').distinct().count(), dupes, "
        "TestRequest.objects.values('reference').distinct().count())",
    )
    stored, distinct, duplicated, references = map(int, re.search(r"STORED (\d+) (\d+) (\d+) (\d+)", output).groups())
    form_5xx = sum(1 for get, _, _ in results if get >= 500)
    post_5xx = sum(1 for _, post, _ in results if post >= 500)
    accepted = sum(1 for _, post, _ in results if post == 302)
    timings = sorted(ms for _, _, ms in results)

    print(f"\n{TOTAL} requests by {CLIENTS} concurrent clients (each: GET the form, POST it); {workers()} workers")
    print(f"elapsed {elapsed:.1f} s -> {TOTAL / elapsed:.1f} requests per second (form + post each)")
    print(f"POST latency ms: p50 {statistics.median(timings):.0f}, p95 {timings[int(0.95 * len(timings))]:.0f}, "
          f"p99 {timings[int(0.99 * len(timings))]:.0f}")  # fmt: skip
    print(f"accepted (302) {accepted}; 5xx on form {form_5xx}, on post {post_5xx}")
    print(f"stored {stored}, distinct requesters {distinct}, stored twice {duplicated}, unique references {references}")
    ok = stored == TOTAL == distinct == accepted and duplicated == 0 and form_5xx == post_5xx == 0
    print("Every request stored exactly once, no 5xx:", "YES" if ok else "NO")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
