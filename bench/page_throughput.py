"""Benchmark 1: the tumour page served by the app vs the same bytes as a static file, same gunicorn.

Target: the cached page reaches at least 0.9 of the static file's requests per second (issue 13).
"Uncached" adds a unique query string to every request, which misses any URL-keyed page cache.
With BENCH_REDIS_URL set, a second server with PAGE_CACHE_LOCAL_PAGES=0 measures the shared-cache path alone (one
Redis round trip per hit, no copy in the process) in the same run.
"""

import os

from common import Browser, Gunicorn, prepare, print_throughput, shell, static_copy_of_page, workers, wrk

PAGE = "/tumours/leiomyosarcoma/"


def main() -> None:
    env = prepare("page")
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")

    html, static_path = static_copy_of_page(env, PAGE)

    server = Gunicorn(env, workers=workers()).start()
    try:
        static_url = server.url + static_path
        if Browser(server.url).get(static_path).text.encode() != html:
            raise SystemExit("The static copy is not served byte for byte.")
        for url, bust in ((static_url, False), (server.url + PAGE, False), (server.url + PAGE, True)):
            wrk(url, seconds=2, bust=bust)  # warm-up: workers loaded, caches filled
        results = {
            "static file (whitenoise)": wrk(static_url),
            "tumour page, cache as configured": wrk(server.url + PAGE),
            "tumour page, uncached (unique query)": wrk(server.url + PAGE, bust=True),
        }
    finally:
        server.stop()
    if os.environ.get("BENCH_REDIS_URL"):
        server = Gunicorn({**env, "PAGE_CACHE_LOCAL_PAGES": "0"}, workers=workers()).start()
        try:
            wrk(server.url + PAGE, seconds=2)
            results["tumour page, Redis only (no copy in the process)"] = wrk(server.url + PAGE)
        finally:
            server.stop()

    static_rps = print_throughput(PAGE, len(html), results, "static file (whitenoise)", decimals=1)
    cached_ratio = results["tumour page, cache as configured"]["rps"] / static_rps
    verdict = "met" if cached_ratio >= 0.9 else "MISSED"
    print(f"\nTarget: cached page >= 0.90 of static req/s -> {cached_ratio:.2f} ({verdict})")


if __name__ == "__main__":
    main()
