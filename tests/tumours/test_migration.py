"""Moving to drafts and approval keeps every page exactly as the public saw it, with its history."""

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from tumours import services
from tumours.editorial import Draft, EditorialEvent, Revision
from tumours.models import Tumour
from tumours.readability import page_grade

BEFORE = [("tumours", "0003_merge_review_workflow_and_search")]
# 0004_editorial_drafts and every migration after it: the pages are then read by today's code, which needs
# today's tables.
AFTER = "latest"

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    if targets == "latest":
        targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "tumours"]
    executor.migrate(targets)
    # Every other app as it is now, tumours as the target leaves it.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "tumours"]
    return executor.loader.project_state([*others, *targets]).apps


def old_reversion_tables(content_types: dict[str, int], rows: list[tuple[str, int, dict]], user_id: int) -> None:
    """django-reversion's two tables as it left them, with one revision of the published page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE reversion_revision (id integer PRIMARY KEY, date_created timestamp with time zone, "
            "user_id integer NULL, comment text)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE reversion_revision (id integer PRIMARY KEY, date_created datetime, "
            "user_id integer NULL, comment text)"
        )
        cursor.execute(
            "CREATE TABLE reversion_version (id integer PRIMARY KEY, object_id varchar(191), content_type_id integer,"
            " db varchar(191), format varchar(255), serialized_data text, object_repr text, revision_id integer)"
        )
        created = timezone.now() - datetime.timedelta(days=30)
        cursor.execute("INSERT INTO reversion_revision VALUES (1, %s, %s, %s)", [created, user_id, "First version."])
        for n, (model, pk, fields) in enumerate(rows, start=1):
            data = json.dumps([{"model": f"tumours.{model}", "pk": pk, "fields": fields}])
            cursor.execute(
                "INSERT INTO reversion_version VALUES (%s, %s, %s, 'default', 'json', %s, %s, 1)",
                [n, str(pk), content_types[model], data, model],
            )


def drop_old_reversion_tables():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS reversion_version")
        cursor.execute("DROP TABLE IF EXISTS reversion_revision")


@pytest.fixture
def old_site(django_user_model):
    apps = migrate(BEFORE)
    Tumour = apps.get_model("tumours", "Tumour")
    Section, Source = apps.get_model("tumours", "Section"), apps.get_model("tumours", "Source")
    StatusChange, TestKit = apps.get_model("tumours", "StatusChange"), apps.get_model("tumours", "TestKit")
    ContentType = apps.get_model("contenttypes", "ContentType")
    editor = django_user_model.objects.create(username="old-editor")
    kit = TestKit.objects.create(name="Oncofocus", slug="oncofocus", description="The test.")
    now = timezone.now()
    pages = {}
    for slug, status, published_at in [
        ("live", "published", now - datetime.timedelta(days=10)),
        ("drafted", "draft", None),
        ("reviewing", "in_review", None),
        ("scheduled", "published", now + datetime.timedelta(days=2)),
    ]:
        page = Tumour.objects.create(
            name=slug.title(), slug=slug, summary=f"The {slug} summary.\n", status=status, published_at=published_at,
            first_published_at=published_at, last_reviewed_on=datetime.date(2026, 11, 1),
            next_review_due=datetime.date(2027, 11, 1), reviewed_by="Dr Helen Marsh, Consultant Medical Oncologist",
        )  # fmt: skip
        page.test_kits.add(kit)
        Section.objects.create(tumour=page, heading="Treatment", body="Surgery.\r\n", position=1)
        Source.objects.create(tumour=page, title="A source", url="https://example.org/", position=1)
        pages[slug] = page
    StatusChange.objects.create(tumour=pages["reviewing"], from_status="draft", to_status="in_review",
                                changed_by_id=editor.pk, changed_at=now)  # fmt: skip
    StatusChange.objects.create(tumour=pages["live"], from_status="in_review", to_status="published",
                                changed_by_id=editor.pk, changed_at=now)  # fmt: skip
    types = {m: ContentType.objects.get_or_create(app_label="tumours", model=m)[0].pk for m in ("tumour", "section")}
    live = pages["live"]
    old_reversion_tables(
        types,
        [("tumour", live.pk, {"name": "Live", "slug": "live", "summary": "An older summary.", "test_kits": [kit.pk]}),
         ("section", live.sections.get().pk, {"tumour": live.pk, "heading": "Treatment", "body": "Surgery.",
                                              "position": 1})],
        editor.pk,
    )  # fmt: skip
    rows = {page.slug: (page.summary, page.updated_at, page.published_at) for page in Tumour.objects.all()}
    yield pages, rows, editor
    drop_old_reversion_tables()


def test_every_page_keeps_what_the_public_sees_and_its_history(old_site):
    pages, rows, editor = old_site
    migrate(AFTER)
    live = Tumour.objects.get(slug="live")
    assert live.status == Tumour.Status.PUBLISHED
    assert (live.summary, live.updated_at, live.published_at) == rows["live"]
    assert live.reviewed_by == "Dr Helen Marsh, Consultant Medical Oncologist"
    assert live.live_revision.went_live_at == rows["live"][2]
    assert services.draft_of(live) is None
    response = Client().get("/tumours/live/")
    assert response.status_code == 200 and "The live summary." in response.content.decode()
    history = Revision.objects.of(live).order_by("created_at")
    assert [r.content["fields"]["summary"] for r in history] == ["An older summary.", "The live summary."]
    assert history[0].created_by_id == editor.pk and history[0].comment == "First version."
    assert EditorialEvent.objects.of(live).get().kind == "went_live"
    # 0006: live pages get their reading grade for the page list; pages that are not live wait for their approval.
    assert live.reading_grade == page_grade(["The live summary.", "Surgery."])
    assert Tumour.objects.get(slug="drafted").reading_grade is None


def test_pages_in_progress_keep_their_place_in_the_workflow(old_site):
    migrate(AFTER)
    drafted, reviewing, scheduled = (Tumour.objects.get(slug=s) for s in ("drafted", "reviewing", "scheduled"))
    assert services.draft_of(drafted).state == Draft.State.EDITING
    waiting = services.draft_of(reviewing)
    assert waiting.state == Draft.State.IN_REVIEW and waiting.submitted_by.username == "old-editor"
    assert EditorialEvent.objects.of(reviewing).get().kind == "submitted"
    later = services.draft_of(scheduled)
    assert later.state == Draft.State.SCHEDULED and later.go_live_at > timezone.now()
    for page in (drafted, reviewing, scheduled):
        assert page.status == Tumour.Status.DRAFT
        assert Client().get(f"/tumours/{page.slug}/").status_code == 404
    services.publish_due_changes(now=later.go_live_at)
    assert Client().get("/tumours/scheduled/").status_code == 200
    assert Tumour.objects.get(slug="scheduled").last_reviewed_on == datetime.date(2026, 11, 1)
