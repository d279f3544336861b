"""How long the move to drafts and approval (tumours 0004) takes on a site of N pages, on PostgreSQL.

A fresh database is migrated to the schema before 0004 and filled the way that schema held pages: N pages
(90% published, 5% draft, 4% in review, 1% published for a later time), 8 sections, a source and the kit each,
their status changes, and django-reversion's two tables with one revision per page (the page and its sections).
Then `manage.py migrate tumours 0004` is timed as a deployment runs it, and the result is checked.

    .venv/bin/python bench/migration.py          # N = 10,000; BENCH_MIGRATION_PAGES=N for another size
"""

import datetime
import json
import os
import subprocess
import sys
import time

from common import REPO, fresh_database, print_table, production_env

N = int(os.environ.get("BENCH_MIGRATION_PAGES", "10000"))
BEFORE = ("tumours", "0003_merge_review_workflow_and_search")
AFTER = ("tumours", "0004_editorial_drafts")
BODY = "Synthetic text for the benchmark, with *emphasis* and a [link](https://www.example.org/).\n\n- a\n- b\n"
REVERSION_TABLES = [
    "CREATE TABLE reversion_revision (id integer PRIMARY KEY, date_created timestamptz, user_id integer, comment text)",
    "CREATE TABLE reversion_version (id serial PRIMARY KEY, object_id varchar(191), content_type_id integer, "
    "db varchar(191), format varchar(255), serialized_data text, object_repr text, revision_id integer)",
]


def old_models():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    others = [node for node in loader.graph.leaf_nodes() if node[0] != "tumours"]
    apps = loader.project_state([*others, BEFORE]).apps
    return [apps.get_model("tumours", name) for name in ("Tumour", "Section", "Source", "StatusChange", "TestKit")]


def status_of(n: int, now: datetime.datetime) -> tuple[str, datetime.datetime | None]:
    roll = n % 100
    if roll < 90:
        return "published", now - datetime.timedelta(days=1)
    if roll == 99:
        return "published", now + datetime.timedelta(days=3)
    return ("draft" if roll < 95 else "in_review"), None


def fill() -> None:
    """In the benchmark's own process: N pages as the old schema held them."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    Tumour, Section, Source, StatusChange, TestKit = old_models()
    user = get_user_model().objects.create(username="bench-editor")
    kit = TestKit.objects.create(name="Oncofocus", slug="oncofocus", description="The test.")
    now = timezone.now()
    pages = []
    for n in range(N):
        status, published = status_of(n, now)
        pages.append(
            Tumour(name=f"Synthetic page {n:05d}", slug=f"synthetic-{n:05d}", summary=f"Summary {n}.", status=status,
                   published_at=published, first_published_at=published, reviewed_by="Dr Bench, Consultant",
                   last_reviewed_on=datetime.date(2026, 11, 1))
        )  # fmt: skip
    pages = Tumour.objects.bulk_create(pages, batch_size=2000)
    through = Tumour.test_kits.through
    through.objects.bulk_create([through(tumour_id=p.pk, testkit_id=kit.pk) for p in pages], batch_size=5000)
    Section.objects.bulk_create(
        [Section(tumour_id=p.pk, heading=f"Heading {i}", body=BODY * 3, position=i) for p in pages for i in range(8)],
        batch_size=5000,
    )
    Source.objects.bulk_create(
        [Source(tumour_id=p.pk, title="A source", url="https://example.org/", position=1) for p in pages],
        batch_size=5000,
    )
    moves = [("", "draft"), ("draft", "in_review")]
    StatusChange.objects.bulk_create(
        [
            StatusChange(tumour_id=p.pk, from_status=a, to_status=b, changed_by_id=user.pk, changed_at=now)
            for p in pages
            for a, b in [*moves, *([("in_review", "published")] if p.status == "published" else [])]
        ],
        batch_size=5000,
    )
    tumour_type, section_type = (
        ContentType.objects.get_or_create(app_label="tumours", model=m)[0] for m in ("tumour", "section")
    )
    rows = []
    for p in pages:
        fields = {"name": p.name, "slug": p.slug, "summary": "An older summary.", "test_kits": [kit.pk]}
        rows.append(_version(tumour_type.pk, "tumours.tumour", p.pk, fields, p.pk))
    for s in Section.objects.values("pk", "tumour_id", "heading", "body", "position"):
        fields = {"tumour": s["tumour_id"], "heading": s["heading"], "body": s["body"], "position": s["position"]}
        rows.append(_version(section_type.pk, "tumours.section", s["pk"], fields, s["tumour_id"]))
    with connection.cursor() as cursor:
        for statement in REVERSION_TABLES:
            cursor.execute(statement)
        cursor.executemany(
            "INSERT INTO reversion_revision VALUES (%s, %s, %s, 'Saved.')", [(p.pk, now, user.pk) for p in pages]
        )
        cursor.executemany(
            "INSERT INTO reversion_version (object_id, content_type_id, db, format, serialized_data, object_repr, "
            "revision_id) VALUES (%s, %s, 'default', 'json', %s, '', %s)",
            rows,
        )
        cursor.execute("VACUUM ANALYZE")
    print(f"{len(pages)} pages, {len(pages) * 8} sections, {len(rows)} old versions")


def _version(content_type: int, model: str, pk: int, fields: dict, revision: int) -> tuple:
    return (str(pk), content_type, json.dumps([{"model": model, "pk": pk, "fields": fields}]), revision)


def check() -> None:
    from tumours.editorial import Draft, EditorialEvent, Revision
    from tumours.models import Tumour

    live = Tumour.objects.published()
    figures = [live.count(), Draft.objects.count(), Revision.objects.count(), EditorialEvent.objects.count()]
    print(*figures, live.filter(live_revision__isnull=True).count())


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        sys.exit(done.stderr)
    return done.stdout


def main() -> None:
    # REDIS_URL only satisfies the production system checks; the migration does not use the cache.
    env = production_env(DATABASE_URL=fresh_database("migration"), REDIS_URL="redis://127.0.0.1:6379/15")
    print(f"== migration: {N} pages", flush=True)
    run(env, "manage.py", "migrate", "--noinput", *BEFORE)
    run(env, "manage.py", "migrate", "--noinput", "auth")
    started = time.perf_counter()
    print(f"filled: {run(env, __file__, 'fill').strip()} in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    run(env, "manage.py", "migrate", "--noinput", *AFTER)
    seconds = time.perf_counter() - started
    live, drafts, revisions, events, missing = run(env, __file__, "check").split()
    print_table(
        [(N, f"{seconds:.1f} s", live, drafts, revisions, events, missing)],
        ("pages", "migrate tumours 0004", "live after", "drafts", "revisions", "events", "live without revision"),
    )


if __name__ == "__main__":
    if sys.argv[1:] in (["fill"], ["check"]):
        import django

        django.setup()
        fill() if sys.argv[1] == "fill" else check()
    else:
        main()
