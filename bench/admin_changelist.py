"""Benchmark 4: the sales team's test-request list in the admin with 100,000 requests on PostgreSQL.

Target: under 300 ms, with a fixed number of queries (no full COUNT(*) on every view where an estimate serves).
Logs in with a session cookie made in the database, as the admin login and the second factor would.
"""

import os
import re

from common import Gunicorn, prepare, print_table, shell, workers, wrk

N = int(os.environ.get("BENCH_REQUESTS", "100000"))
CHANGELIST = "/admin/orders/testrequest/"
# The bare list redirects a salesperson to "My open"; "All" is the unfiltered list.
URLS = [
    f"{CHANGELIST}?view=all", f"{CHANGELIST}?view=all&p=50", f"{CHANGELIST}?view=mine", f"{CHANGELIST}?view=overdue",
    f"{CHANGELIST}?status__exact=new", f"{CHANGELIST}?q=OF-B0004242", f"{CHANGELIST}?q=020+7946+4242",
]  # fmt: skip

SETUP = """
import random
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from oncosite.roles import SALES_TEAM
from orders.models import TestRequest
from tumours.demo_content import load_demo_content

tumour = load_demo_content()
kit = tumour.test_kits.get()
now = timezone.now()
statuses = [s for s, _ in TestRequest.Status.choices]
rng = random.Random(6)
for start in range(0, {n}, 5000):
    TestRequest.objects.bulk_create(
        TestRequest(
            reference=f"OF-B{{i:07d}}", tumour=tumour, test_kit=kit, requester_type="patient",
            full_name=f"Bench Requester {{i}}", email=f"bench{{i}}@example.com", country="GB",
            phone=f"020 7946 {{i % 10000:04d}}", phone_e164=f"+44207946{{i % 10000:04d}}",
            consent_version="bench", consented_at=now, status=rng.choice(statuses), first_contact_due_at=now,
        )
        for i in range(start, min(start + 5000, {n}))
    )
# Spread the dates over two years, as real requests would be.
with connection.cursor() as cursor:
    cursor.execute("UPDATE orders_testrequest SET created_at = now() - (id % 730) * interval '1 day'")
    cursor.execute("VACUUM ANALYZE orders_testrequest")
user = get_user_model().objects.create_user("bench-sales", is_staff=True)
user.groups.add(Group.objects.get(name=SALES_TEAM))
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=user, name="bench", confirmed=True).persistent_id
session.create()
print("SESSION", session.session_key)
"""

QUERIES = """
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
user = get_user_model().objects.get(username="bench-sales")
client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
session = client.session
session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
session.save()
for url in {urls!r}:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    full = sum(1 for sql in counts if " WHERE " not in sql.upper())
    print("QUERIES", url, status, len(queries), len(counts), full)
"""


def main() -> None:
    env = prepare("admin")
    session_key = re.search(r"SESSION (\w+)", shell(env, SETUP.format(n=N))).group(1)
    query_rows = re.findall(r"QUERIES (\S+) (\d+) (\d+) (\d+) (\d+)", shell(env, QUERIES.format(urls=URLS)))
    queries = {
        url: (int(status), int(total), int(counts), int(full)) for url, status, total, counts, full in query_rows
    }

    server = Gunicorn(env, workers=workers()).start()
    rows = []
    try:
        cookie = {"Cookie": f"sessionid={session_key}"}
        for url in URLS:
            wrk(server.url + url, seconds=2, connections=4, headers=cookie)
            r = wrk(server.url + url, connections=4, headers=cookie)
            status, total, counts, full = queries[url]
            verdict = "met" if r["requests"] and r["p95"] < 300 else "MISSED"
            rows.append((url, status, f"{r['rps']:.0f}", f"{r['p50']:.0f}", f"{r['p95']:.0f}", f"{r['p99']:.0f}",
                         r["non_2xx_3xx"], total, counts, full, verdict))  # fmt: skip
    finally:
        server.stop()

    print(f"\n{N} test requests; {workers()} workers; wrk 2 threads, 4 connections, logged in as sales\n")
    header = ("url", "status", "req/s", "p50 ms", "p95 ms", "p99 ms", "non-2xx", "queries", "COUNTs", "full COUNTs",
              "p95 < 300 ms")  # fmt: skip
    print_table(rows, header)
    print("\nfull COUNTs: COUNT queries with no WHERE clause, i.e. over the whole table")


if __name__ == "__main__":
    main()
