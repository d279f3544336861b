"""Time public pages with and without the page cache, and search, on a scratch test database.

    .venv/bin/python bench/public_pages.py                  # SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/public_pages.py

Prints milliseconds per request (median of N) and queries per request. Nothing is asserted: see the
tests for the query-count limits.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncosite.settings.test")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, setup_test_environment, teardown_databases  # noqa: E402,E501

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def measure(client: Client, url: str, *, cached: bool) -> tuple[float, int]:
    timings, queries = [], 0
    client.get(url)
    for _ in range(ROUNDS):
        if not cached:
            caches["default"].clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(ctx.captured_queries)
    return statistics.median(timings) * 1000, queries


def main() -> None:
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from tests.factories import SectionFactory, SourceFactory, TumourFactory
        from tumours.demo_content import load_demo_content

        tumour = load_demo_content()
        SectionFactory.create_batch(38, tumour=tumour, body="Smooth muscle text. " * 40)
        SourceFactory.create_batch(5, tumour=tumour)
        kit = tumour.test_kits.get()
        for n in range(5):
            kit.sections.create(heading=f"Kit section {n}", body="How the test works. " * 40, position=n + 1)
        for n in range(200):
            TumourFactory(name=f"Sarcoma type {n}", slug=f"type-{n}", also_known_as=f"ST{n}", test_kits=[kit])
        client = Client()
        print(f"database: {connection.vendor}, {ROUNDS} requests each, median")
        for url in ["/tumours/leiomyosarcoma/", "/tumours/", "/", "/sitemap-tumours.xml", "/tests/oncofocus/"]:
            cold_ms, cold_q = measure(client, url, cached=False)
            warm_ms, warm_q = measure(client, url, cached=True)
            print(f"{url:28} uncached {cold_ms:7.2f} ms {cold_q:2} queries | cached {warm_ms:6.2f} ms {warm_q} queries")
        for query in ["leiomyosarcoma", "smooth muscle", "leiomiosarcoma", "zebra", "oncofocus"]:
            ms, q = measure(client, f"/search/?q={query}", cached=True)
            print(f"search {query!r:22} {ms:7.2f} ms {q:2} queries")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
