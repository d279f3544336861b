"""Benchmark 2: N synthetic tumours (default 10,000, 8 sections each) on PostgreSQL.

Targets: search p95 < 30 ms; the A–Z index and the sitemap < 200 ms; the tumour page's query count unchanged.
Search and the sitemap come with the public-pages work; where a URL answers 404 the figure is "not available".
"""

import os
import re
import statistics
import time

from common import Browser, Gunicorn, prepare, print_table, shell, workers, wrk

N = int(os.environ.get("BENCH_TUMOURS", "10000"))
PAGE = "/tumours/leiomyosarcoma/"
SEARCHES = ["/search/?q=leiomyosarcoma", "/search/?q=myxoid+sarcoma", "/search/?q=LMS"]

QUERY_COUNT = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
client.get("{url}")
with CaptureQueriesContext(connection) as queries:
    status = client.get("{url}").status_code
print("QUERIES", status, len(queries))
"""


def query_count(env, url: str) -> int:
    output = shell(env, QUERY_COUNT.format(url=url))
    status, count = re.search(r"QUERIES (\d+) (\d+)", output).groups()
    return int(count) if status == "200" else -1


def sequential_ms(browser, url: str) -> float:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        browser.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    env = prepare("scale")
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")
    queries_before = query_count(env, f"{PAGE}?uncached")  # past any page cache
    started = time.perf_counter()
    shell(env, f"from tumours.synthetic import generate_synthetic_tumours; generate_synthetic_tumours(count={N})")
    print(f"generate_synthetic_tumours {N}: {time.perf_counter() - started:.1f} s")
    shell(env, "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")
    queries_after = query_count(env, f"{PAGE}?uncached")

    server = Gunicorn(env, workers=workers()).start()
    browser = Browser(server.url)
    rows = []
    try:
        # A query string is never served from the page cache: "?uncached" shows the cost of a miss.
        targets = [(url, 30) for url in SEARCHES] + [("/tumours/", 200), ("/tumours/?uncached", 200), (PAGE, None)]
        sitemap = browser.get("/sitemap.xml")
        if sitemap.status == 200:
            targets.append(("/sitemap.xml", 200))
            # A sitemap index (the protocol allows 50,000 URLs per file) lists its files; time each, and the
            # largest (the last) also past the page cache.
            files = [
                re.sub(r"^https?://[^/]+", "", loc)
                for loc in re.findall(r"<sitemap>\s*<loc>([^<]+)</loc>", sitemap.text)
            ]
            targets += [(url, 200) for url in files]
            if files:
                targets.append((f"{files[-1]}{'&' if '?' in files[-1] else '?'}uncached", 200))
        else:
            rows.append(("/sitemap.xml", f"HTTP {sitemap.status}", "not available", "", "", "", "", "200"))
        for url, target in targets:
            status = browser.get(url).status
            if status != 200:
                rows.append((url, f"HTTP {status}", "not available", "", "", "", "", target or ""))
                continue
            alone = sequential_ms(browser, url)
            wrk(server.url + url, seconds=2, connections=4)
            r = wrk(server.url + url, connections=4)
            if r["requests"] == 0:
                rows.append((url, "0", "", "", "", f"{alone:.0f}", "MISSED", target or ""))
                continue
            verdict = "" if target is None else ("met" if r["p95"] < target else "MISSED")
            rows.append((url, f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}",
                         f"{alone:.0f}", verdict, target or ""))  # fmt: skip
    finally:
        server.stop()

    print(f"\n{N} synthetic tumours + the demo page; {workers()} workers; wrk 2 threads, 4 connections\n")
    print_table(rows, ("url", "req/s", "p50 ms", "p95 ms", "p99 ms", "alone ms", "target", "p95 target ms"))
    print("(alone: median of 5 requests one after another, no concurrent load)")
    same = "unchanged" if queries_before == queries_after else "CHANGED"
    print(f"\nTumour page queries: {queries_before} with 1 tumour, {queries_after} with {N + 1} ({same})")


if __name__ == "__main__":
    main()
