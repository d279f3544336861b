"""Benchmark 2: N synthetic tumours (default 10,000, 8 sections each) on PostgreSQL, 4 clients.

Targets (p95 under 4 clients): every search < 30 ms past the page cache and a repeated search < 10 ms (served from
it); the A–Z index pages (the old /tumours/ and the largest letter) and every sitemap file < 200 ms past the page
cache; the tumour page's query count unchanged.

"Past the cache" rows come from a second gunicorn run with PAGE_CACHE_SECONDS=0: each request looks the page up
(and misses) as the first request after an edit does, then builds it. Searches there are not rate-limited
(SEARCH_RATE_LIMIT opened for the run): the limit is per client address, and wrk is one address.
"""

import os
import re
import statistics
import time

from common import Browser, Gunicorn, prepare, print_table, shell, workers, wrk

N = int(os.environ.get("BENCH_TUMOURS", "10000"))
PAGE = "/tumours/leiomyosarcoma/"
SEARCHES = ["/search/?q=leiomyosarcoma", "/search/?q=myxoid+sarcoma", "/search/?q=LMS"]
REPEATED_SEARCH = "/search/?q=myxoid+sarcoma"
SEARCH_MS, PAGE_MS, CACHED_SEARCH_MS = 30, 200, 10

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

# bulk_create and the search triggers leave each tumour row with eight dead versions (one per section's insert):
# 160 MB for 10,000 rows, one row per block, which no real site grown page by page would have. Compact it.
COMPACT = """
from django.db import connection
connection.cursor().execute("VACUUM FULL ANALYZE tumours_tumour")
connection.cursor().execute("VACUUM ANALYZE")
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


def site_urls(browser) -> tuple[str, list[str]]:
    """The largest letter page of the A–Z (most entries) and every file the sitemap index lists."""
    bar = browser.get("/tumours/").text
    letters = sorted(set(re.findall(r'href="(/tumours/letter/[^/"]+/)"', bar)))
    largest = max(letters, key=lambda url: letter_size(browser.get(url).text))
    index = browser.get("/sitemap.xml").text
    files = [re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<sitemap>\s*<loc>([^<]+)</loc>", index)]
    return largest, files


def letter_size(html: str) -> tuple[int, int]:
    """(pages, entries on this page) of a letter page: a long letter is split into pages of its own."""
    pages = re.search(r"page \d+ of (\d+)", html)
    entries = html[html.find('<ul class="tumour-list">') :].split("</ul>", 1)[0].count("<li>")
    return (int(pages.group(1)) if pages else 1, entries)


def measure(server, browser, targets, label: str) -> list[tuple]:
    rows = []
    for url, target in targets:
        status = browser.get(url).status
        if status != 200:
            rows.append((url, label, f"HTTP {status}", "not available", "", "", "", "", target or ""))
            continue
        wrk(server.url + url, seconds=2, connections=4)  # every worker warm (templates, URLconf, connections)
        alone = sequential_ms(browser, url)
        r = wrk(server.url + url, connections=4)
        if r["requests"] == 0 or r["non_2xx_3xx"]:
            rows.append((url, label, f"{r['rps']:.0f}", "", "", "", f"{alone:.0f}", "MISSED (errors)", target or ""))
            continue
        verdict = "" if target is None else ("met" if r["p95"] < target else "MISSED")
        rows.append((url, label, f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}",
                     f"{alone:.0f}", verdict, target or ""))  # fmt: skip
    return rows


def main() -> None:
    env = prepare("scale", SEARCH_RATE_LIMIT="100000000/m")
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")
    queries_before = query_count(env, f"{PAGE}?uncached")  # past any page cache
    started = time.perf_counter()
    shell(env, f"from tumours.synthetic import generate_synthetic_tumours; generate_synthetic_tumours(count={N})")
    print(f"generate_synthetic_tumours {N}: {time.perf_counter() - started:.1f} s")
    shell(env, COMPACT)
    queries_after = query_count(env, f"{PAGE}?uncached")

    rows = []
    server = Gunicorn(env, workers=workers()).start()
    try:
        browser = Browser(server.url)
        largest, files = site_urls(browser)
        cached = [(REPEATED_SEARCH, CACHED_SEARCH_MS), ("/tumours/", PAGE_MS), (largest, PAGE_MS), (PAGE, None)]
        rows += measure(server, browser, [*cached, ("/sitemap.xml", PAGE_MS)], "cached")
    finally:
        server.stop()
    server = Gunicorn({**env, "PAGE_CACHE_SECONDS": "0"}, workers=workers()).start()
    try:
        browser = Browser(server.url)
        past = [(url, SEARCH_MS) for url in SEARCHES] + [("/tumours/", PAGE_MS), (largest, PAGE_MS)]
        past += [("/sitemap.xml", PAGE_MS)] + [(url, PAGE_MS) for url in files]
        rows += measure(server, browser, past, "past the cache")
    finally:
        server.stop()

    print(f"\n{N} synthetic tumours + the demo page; {workers()} workers; wrk 2 threads, 4 connections")
    print(f"largest A–Z letter: {largest}; sitemap files: {len(files)}\n")
    header = ("url", "page cache", "req/s", "p50 ms", "p95 ms", "p99 ms", "alone ms", "target", "p95 target ms")
    print_table(rows, header)
    print("(alone: median of 5 requests one after another, no concurrent load)")
    same = "unchanged" if queries_before == queries_after else "CHANGED"
    print(f"\nTumour page queries: {queries_before} with 1 tumour, {queries_after} with {N + 1} ({same})")


if __name__ == "__main__":
    main()
