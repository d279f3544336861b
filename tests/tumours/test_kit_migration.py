"""Moving to kit pages keeps every kit exactly as the public saw it: the kit box keeps its description, and the
kit's page stays unpublished until a reviewer approves one."""

import pytest
from django.test import Client
from django.utils import timezone

from tests.tumours.test_migration import migrate
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.editorial import Draft, Revision
from tumours.models import TestKit

BEFORE = [("tumours", "0005_content_limits")]
DESCRIPTION = "The most comprehensive test.\r\n\r\nIt finds the right drug for your cancer.  "

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def old_site():
    apps = migrate(BEFORE)
    TestKit, Tumour = apps.get_model("tumours", "TestKit"), apps.get_model("tumours", "Tumour")
    Section, Source = apps.get_model("tumours", "Section"), apps.get_model("tumours", "Source")
    kit = TestKit.objects.create(name="Oncofocus", slug="oncofocus", description=DESCRIPTION)
    TestKit.objects.create(name="Unused", slug="unused", description="Offered by no page.")
    page = Tumour.objects.create(
        name="Leiomyosarcoma", slug="leiomyosarcoma", summary="A smooth muscle tumour.", status="published",
        published_at=timezone.now(), first_published_at=timezone.now(),
    )  # fmt: skip
    page.test_kits.add(kit)
    Section.objects.create(tumour=page, heading="Treatment", body="Surgery.", position=1)
    Source.objects.create(tumour=page, title="A source", url="https://example.org/", position=1)
    yield kit.pk
    migrate("latest")


def test_every_kit_keeps_its_description_in_the_kit_box(old_site):
    migrate("latest")
    kit = TestKit.objects.get(pk=old_site)
    assert (kit.name, kit.slug, kit.description) == ("Oncofocus", "oncofocus", DESCRIPTION)
    assert kit.status == TestKit.Status.DRAFT and kit.first_published_at is None
    text = visible_text(Client().get("/tumours/leiomyosarcoma/").content.decode())
    assert "The most comprehensive test. It finds the right drug for your cancer." in text
    assert "Discover Oncofocus Today" in text
    assert Client().get("/tests/oncofocus/").status_code == 404


def test_each_kit_starts_its_history_with_what_the_public_saw(old_site, editor, reviewer):
    migrate("latest")
    kit = TestKit.objects.get(pk=old_site)
    (revision,) = Revision.objects.of(kit)
    assert kit.live_revision == revision
    assert revision.content == {
        "fields": {"name": "Oncofocus", "slug": "oncofocus", "description": DESCRIPTION.replace("\r\n", "\n").strip()},
        "sections": [],
    }
    assert Revision.objects.of(TestKit.objects.get(slug="unused")).count() == 1
    # An editor who opens the kit and saves it untouched starts a draft that is the approved text, nothing new.
    draft = services.save_draft(kit=kit, by=editor, fields={"description": DESCRIPTION})
    assert draft.revision == revision and Revision.objects.of(kit).count() == 1
    services.save_draft(kit=kit, by=editor, sections=[{"heading": "How it works", "body": "In a laboratory."}])
    services.submit_for_review(kit=kit, by=editor)
    assert Draft.objects.of(kit).get().state == Draft.State.IN_REVIEW
    services.approve(kit=kit, by=reviewer)
    assert Client().get("/tests/oncofocus/").status_code == 200
