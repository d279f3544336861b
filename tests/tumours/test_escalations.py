"""No path around the approval: an editor who posts to every admin URL of the tumours app, with whatever a form
could carry, leaves the live page exactly as it was."""

import re

import pytest
from django.contrib import admin
from django.core.cache import caches
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from tests.admin_forms import change_form, read_form
from tests.factories import TestKitFactory
from tumours import services
from tumours.feedback import PageFeedback
from tumours.link_health import LinkCheck
from tumours.models import OldSlug, TestKit, Tumour

DEFACED = "DEFACED by an editor acting alone"


def admin_url_names(patterns=None, prefix="tumours_") -> list[URLPattern]:
    found = []
    for pattern in patterns if patterns is not None else admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            found += admin_url_names(pattern.url_patterns, prefix)
        elif pattern.name and pattern.name.startswith(prefix):
            found.append(pattern)
    return found


def url_for(pattern: URLPattern, ids: dict[str, int]) -> str:
    model = pattern.name.split("_")[1]
    kwargs = {}
    for name in pattern.pattern.converters:
        kwargs[name] = ids["version"] if name == "version_id" else ids[model]
    return reverse(f"admin:{pattern.name}", kwargs=kwargs)


def public_state(tumour: Tumour) -> tuple:
    caches["default"].clear()  # what the database says, not what a cache kept
    response = Client().get(f"/tumours/{tumour.slug}/")
    # The feedback form's token is signed afresh whenever the page is built: it is no content.
    content = re.sub(rb'name="form_token" value="[^"]*"', b"", response.content)
    tumour = Tumour.objects.get(pk=tumour.pk)
    kit = TestKit.objects.get(slug="oncofocus")
    return response.status_code, content, tumour.status, tumour.live_revision_id, kit.description


@pytest.fixture
def attack(live, editor_client, editor, reviewer):
    kit = TestKitFactory()
    live.test_kits.add(kit)
    # An old version with other text, and a draft submitted by a colleague, for the restore and review paths.
    services.save_draft(tumour=live, by=editor, fields={"summary": "An older wording."})
    services.submit_for_review(tumour=live, by=editor)
    services.approve(tumour=live, by=reviewer)
    old = live.revisions.order_by("created_at").first()
    services.save_draft(tumour=live, by=reviewer, fields={"summary": "A colleague's proposal."})
    services.submit_for_review(tumour=live, by=reviewer)
    live.refresh_from_db()
    OldSlug.objects.create(slug="an-old-address", tumour=live)
    ids = {"tumour": live.pk, "testkit": kit.pk, "oldslug": OldSlug.objects.get().pk, "version": old.pk}
    ids["reviewerprofile"] = reviewer.reviewer_profile.pk
    ids["pagefeedback"] = PageFeedback.objects.create(tumour=live, helpful=False, comment="A typo.").pk
    ids["linkcheck"] = LinkCheck.objects.create(url="https://example.org/").pk
    form = change_form(editor_client, live)
    payload = {
        **form,
        "summary": DEFACED, "name": DEFACED, "slug": "defaced", "description": DEFACED, "tumour": live.pk,
        "_save": "1", "_submit": "1", "_approve": "1", "when": "now", "clinical_review": "on",
        "reason": DEFACED, "comment": DEFACED, "days": "7", "_create": "1", "post": "yes",
        "action": "delete_selected", "_selected_action": [live.pk], "display_name": DEFACED, "role": DEFACED,
        "note": DEFACED, "done": "on",
    }  # fmt: skip
    return live, ids, payload


def test_no_admin_url_lets_an_editor_change_the_live_page(attack, editor_client):
    live, ids, payload = attack
    before = public_state(live)
    urls = sorted({url_for(pattern, ids) for pattern in admin_url_names()})
    assert len(urls) >= 20  # every tumours admin page, our own and Django's
    for url in urls:
        editor_client.get(url)
        editor_client.post(url, payload)
        assert public_state(live) == before, f"{url} changed what the public sees"


def test_django_reversions_views_are_gone(editor_client, live):
    for url in (
        f"/admin/tumours/source/1/history/{live.live_revision_id}/",
        f"/admin/tumours/tumour/{live.pk}/history/{live.live_revision_id}/",
        "/admin/tumours/tumour/recover/",
        "/admin/tumours/section/",
    ):
        assert editor_client.get(url).status_code in (302, 404), url
        assert editor_client.post(url, {"summary": DEFACED}).status_code in (302, 404), url


def test_an_editor_cannot_change_the_kit_every_page_shows(editor_client, live):
    # Kits are edited through drafts now, like pages: the editor's text waits for a reviewer.
    kit = TestKitFactory()
    live.test_kits.add(kit)
    url = reverse("admin:tumours_testkit_change", args=[kit.pk])
    form = read_form(editor_client.get(url).content.decode(), form_id="testkit_form")
    editor_client.post(url, {**form, "description": DEFACED, "_submit": "1", "_approve": "1", "when": "now"})
    assert TestKit.objects.get(pk=kit.pk).description != DEFACED
    assert DEFACED not in Client().get(f"/tumours/{live.slug}/").content.decode()
    assert services.draft_of(kit).revision.content["fields"]["description"] == DEFACED
