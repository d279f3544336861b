"""Benchmark: the tumour page through Varnish (deploy/varnish/default.vcl) vs gunicorn alone vs the same bytes as a
static file, and the time from an approval's commit to its text through Varnish.

The approvals run in a `manage.py shell` with the production settings, like an admin request: the commit purges
Varnish (FRONT_CACHE_PURGE_URLS) and the app's page cache (the shared Redis), then the page is fetched through
Varnish until it shows the new text. Run: .venv/bin/python bench/edge.py (BENCH_SECONDS, BENCH_REPEATS).
"""

import os
import sys

import redis
from common import Browser, Gunicorn, prepare, print_throughput, shell, static_copy_of_page, workers, wrk

from tests.servers import redis_url_for_tests
from tests.varnish import Varnish, varnishd_missing

PAGE = "/tumours/leiomyosarcoma/"
REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))

APPROVALS = """
import time, urllib.request, uuid
from django.apps import apps
from django.db import transaction
from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS, apply_roles
from tests.factories import UserFactory
from tumours import services
from tumours.editorial import ReviewerProfile
from tumours.models import Tumour

apply_roles(apps)
editor = UserFactory(username="bench-editor", groups=[CLINICAL_EDITORS])
reviewer = UserFactory(username="bench-reviewer", groups=[CLINICAL_REVIEWERS])
ReviewerProfile.objects.create(user=reviewer, display_name="Dr Bench", role="Consultant")
tumour = Tumour.objects.get(slug="leiomyosarcoma")
url = "VARNISH" + "PAGE"

def fetch():
    with urllib.request.urlopen(url) as response:
        return response.headers.get("X-Cache"), response.read().decode()

for i in range(REPEATS):
    text = f"Edge check {i} {uuid.uuid4().hex}."
    services.save_draft(tumour=tumour, by=editor, fields={"summary": text})
    services.submit_for_review(tumour=tumour, by=editor)
    while fetch()[0] != "hit":  # the old page is in Varnish
        pass
    committed = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.perf_counter()))  # first: runs right after COMMIT
        services.approve(tumour=tumour, by=reviewer)
    while text not in fetch()[1]:
        pass
    print("ELAPSED", (time.perf_counter() - committed[0]) * 1000)
"""


def main() -> None:
    if reason := varnishd_missing():
        sys.exit(reason)
    redis_url = os.environ.get("BENCH_REDIS_URL") or redis_url_for_tests(3)
    redis.Redis.from_url(redis_url).flushdb()
    # Behind Varnish, as in production: the client's address is the one Varnish appends to X-Forwarded-For.
    env = prepare("edge", REDIS_URL=redis_url, CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR")
    shell(env, "from tumours.demo_content import load_demo_content; load_demo_content()")

    html, static_path = static_copy_of_page(env, PAGE)

    server = Gunicorn(env, workers=workers()).start()
    varnish = Varnish(server.port).start()
    try:
        static_url = server.url + static_path
        # The same page, rendered afresh (its feedback form's token differs per render, its size does not).
        if len(Browser(varnish.url).get(PAGE).text.encode()) != len(html):
            raise SystemExit("Varnish does not serve the page at the static copy's size.")
        for url in (static_url, server.url + PAGE, varnish.url + PAGE):
            wrk(url, seconds=2)  # warm-up: workers loaded, caches filled
        results = {
            "static file (whitenoise, gunicorn)": wrk(static_url),
            "tumour page, gunicorn alone (page cache)": wrk(server.url + PAGE),
            "tumour page, through Varnish": wrk(varnish.url + PAGE),
        }
        code = APPROVALS.replace('"VARNISH"', repr(varnish.url)).replace('"PAGE"', repr(PAGE))
        code = code.replace("range(REPEATS)", f"range({REPEATS})")
        output = shell({**env, "FRONT_CACHE_PURGE_URLS": f"{varnish.url}/"}, code)
    finally:
        varnish.stop()
        server.stop()

    print_throughput(PAGE, len(html), results, "static file (whitenoise, gunicorn)", decimals=2)

    elapsed = sorted(float(line.split()[1]) for line in output.splitlines() if line.startswith("ELAPSED"))
    if len(elapsed) != REPEATS:
        raise SystemExit(f"Expected {REPEATS} approvals, got: {output[-2000:]}")
    p50 = elapsed[len(elapsed) // 2]
    summary = f"p50 {p50:.1f} ms, max {elapsed[-1]:.1f} ms"
    print(f"\nApproval commit -> new text through Varnish, {REPEATS} approvals: {summary}")


if __name__ == "__main__":
    main()
