"""Every URL of the site, anonymous and logged in as each kind of staff, against the front cache's rule: public
pages are `public` with their surrogate keys for anonymous visitors, and nothing personal or session-bound is ever
cacheable by a shared cache."""

import datetime
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from oncosite.roles import SALES_TEAM
from orders.services import create_test_request
from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory, UserFactory
from tumours import services
from tumours.models import OldSlug, TestKit

# Answered to anonymous visitors as public pages (when they answer 200), with at least these keys.
PUBLIC = {
    "tumours:home": {"all", "home", "tumour-list", "kit-list"},
    "tumours:index": {"all", "index", "tumour-list"},
    "tumours:letter": {"all", "index", "tumour-list", "kit-list"},
    "tumours:detail": {"all", "kit-list"},
    "tumours:kits": {"all", "kits", "kit-list"},
    "tumours:kit": {"all", "kit-list", "tumour-list"},
    "tumours:search": {"all", "search", "tumour-list", "kit-list"},
    "tumours:sitemap": {"all", "sitemap"},
    "tumours:sitemap_section": {"all", "sitemap"},
    "tumours:robots": {"all", "robots"},
    "privacy": {"all", "site-page", "kit-list"},
    "contact": {"all", "site-page", "kit-list"},
    "editorial_policy": {"all", "site-page", "kit-list"},
}
# Whoever asks: never cacheable by a shared cache.
PRIVATE_PREFIXES = ("/admin/", "/orders/", "/preview/")
PRIVATE_NAMES = {"orders:request_test", "tumours:feedback", "tumours:feedback_thanks", "tumours:kit_request",
                 "tumours:draft_preview", "healthz", "healthz_strict", "media"}  # fmt: skip


def walk(resolver=None, prefix="", namespace=""):
    """(route, full name) of every URL pattern of the site."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else ""


@pytest.fixture
def site(db, reviewer, second_reviewer, editor):
    kit = TestKitFactory(slug="oncofocus", status=TestKit.Status.PUBLISHED, published_at=timezone.now())
    tumour = TumourFactory(slug="leiomyosarcoma", test_kits=[kit], last_reviewed_on=datetime.date.today())
    SectionFactory(tumour=tumour, body="Surgery first. [@lms]")
    SourceFactory(tumour=tumour, key="lms")
    OldSlug.objects.create(tumour=tumour, slug="old-leiomyosarcoma")
    services.save_draft(tumour=tumour, by=editor, fields={"summary": "A draft summary."})
    request = create_test_request(
        tumour=tumour, test_kit=kit, data={"requester_type": "patient", "full_name": "Ada Lovelace",
                                           "email": "ada@example.com", "country": "GB"},
    )  # fmt: skip
    preview = services.create_preview_link(tumour=tumour, by=reviewer)
    return {"tumour": tumour, "kit": kit, "request": request, "preview": preview}


def objects_for(site) -> dict:
    """A real object for each admin model's <object_id> (the first of its kind), by "app_label/model_name"."""
    found = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            found[f"{model._meta.app_label}/{model._meta.model_name}"] = first.pk
    found["orders/testrequest"] = site["request"].pk
    return found


def urls(site) -> list[tuple[str, str]]:
    """A real address for every pattern (with the site's objects), and its name."""
    tumour, kit, objects = site["tumour"], site["kit"], objects_for(site)
    values = {
        "slug": tumour.slug, "section": "tumours", "letter": tumour.name[0].lower(),
        "token": site["request"].status_token(), "path": "nothing.png",
        "app_label": "tumours", "content_type_id": "1", "object_id": "1", "id": "1", "pk": "1",
    }  # fmt: skip
    found = []
    for route, name in walk():
        path = "/" + route.lstrip("^").rstrip("$").replace("\\Z", "")
        model = re.match(r"/admin/(\w+)/(\w+)/", path)
        if model:
            # No object of that kind: an id that matches none (the admin's "does not exist" answer).
            values["object_id"] = values["pk"] = str(objects.get(f"{model[1]}/{model[2]}", 999999))
        if name.startswith("tumours:kit"):
            values["slug"] = kit.slug
        elif "slug" in values:
            values["slug"] = tumour.slug
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m[1], "1"), path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m[1], "1"), path)
        if "(" in path or "<" in path:
            continue  # a regex route we cannot fill (none at present: named groups are filled above)
        if name == "tumours:draft_preview":
            path = site["preview"]
        found.append((path, name))
    return found


def is_cacheable(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "public" in cache_control or ("s-maxage" in cache_control and "private" not in cache_control)


def assert_private(response, path, who):
    cache_control = response.get("Cache-Control", "")
    assert "private" in cache_control or "no-store" in cache_control, (path, who, cache_control)
    assert not is_cacheable(response), (path, who, cache_control)
    assert not response.has_header("Surrogate-Key"), (path, who)


@pytest.fixture
def clients(site, editor, reviewer, db):
    sales = UserFactory(username="sales", groups=[SALES_TEAM])
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    clients = {"anonymous": Client()}
    for who, user in (("editor", editor), ("reviewer", reviewer), ("sales", sales), ("superuser", superuser)):
        clients[who] = Client()
        clients[who].force_login(user)
    return clients


def test_every_url_as_every_visitor_follows_the_front_cache_rule(site, clients):
    addresses = urls(site)
    assert len(addresses) > 60  # the admin's, the site's own, every app's
    public_seen = set()
    for path, name in addresses:
        for who, client in clients.items():
            for method in ("get", "post"):
                if method == "post" and who != "anonymous":
                    continue  # staff posts change things; an anonymous post is refused or stores a form
                response = getattr(client, method)(path, follow=False)
                assert response.status_code < 500, (method, path, who)
                personal = who != "anonymous" or response.cookies or method == "post"
                if personal or name in PRIVATE_NAMES or path.startswith(PRIVATE_PREFIXES) or name not in PUBLIC:
                    assert_private(response, path, who)
                elif response.status_code == 200:
                    assert response["Cache-Control"].startswith("public, max-age="), (path, response["Cache-Control"])
                    keys = set(response["Surrogate-Key"].split())
                    assert PUBLIC[name] <= keys, (path, keys)
                    public_seen.add(name)
                else:
                    assert_private(response, path, who)  # a 404, a redirect: the next request may differ
    assert public_seen == set(PUBLIC), set(PUBLIC) - public_seen


def test_a_tumour_page_names_the_tumour_and_the_kits_it_shows(client, site):
    tumour, kit = site["tumour"], site["kit"]
    keys = client.get(tumour.get_absolute_url())["Surrogate-Key"].split()
    assert {f"tumour-{tumour.pk}", f"kit-{kit.pk}", "kit-list", "all"} <= set(keys)
    assert set(client.get(kit.get_absolute_url())["Surrogate-Key"].split()) >= {f"kit-{kit.pk}", "tumour-list"}


def test_a_page_from_the_page_cache_carries_the_same_front_cache_headers(client, site, django_assert_num_queries):
    url = site["tumour"].get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)  # answered by the page cache before sessions and the view
    for header in ("Cache-Control", "Surrogate-Key"):
        assert second[header] == first[header]
    assert not second.has_header("Front-Cache-Until") and not first.has_header("Front-Cache-Until")


def test_no_copy_outlives_the_next_scheduled_change(client, site, reviewer, second_reviewer, editor, settings):
    tumour = site["tumour"]
    services.submit_for_review(tumour=tumour, by=editor)
    go_live = timezone.now() + datetime.timedelta(seconds=90)
    services.approve(tumour=tumour, by=second_reviewer, go_live_at=go_live)
    for url in (tumour.get_absolute_url(), "/tumours/", "/"):
        for response in (client.get(url), client.get(url)):  # built, then from the page cache
            cache_control = response["Cache-Control"]
            s_maxage = int(re.search(r"s-maxage=(\d+)", cache_control)[1])
            max_age = int(re.search(r"max-age=(\d+)", cache_control)[1])
            assert 80 <= s_maxage <= 90 and max_age <= 60, cache_control
            assert "stale-while-revalidate" not in cache_control  # not one stale answer after it goes live


def test_a_response_that_sets_a_cookie_is_never_public(rf, db):
    from django.http import HttpResponse

    from oncosite.front_cache import apply_headers
    from tumours.surrogate_keys import tag

    request = rf.get("/")
    response = tag(HttpResponse("page"), "home")
    response.set_cookie("anything", "1")
    assert apply_headers(request, response)["Cache-Control"] == "private, no-store"
    assert not response.has_header("Surrogate-Key")


def test_a_visitor_with_a_session_gets_the_public_page_as_private(client, site):
    client.cookies["sessionid"] = "whatever"
    response = client.get(site["tumour"].get_absolute_url())
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
