import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import SectionFactory, SourceFactory, TestKitFactory, TumourFactory
from tumours import services
from tumours.models import Section, Source, TestKit, Tumour

PUBLIC_URLS = ["/", "/tumours/", "/tumours/leiomyosarcoma/", "/sitemap.xml", "/sitemap-tumours.xml", "/robots.txt"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_are_served_from_the_cache_for_anonymous_visitors(client, demo_tumour, url,
                                                                        django_assert_num_queries):  # fmt: skip
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_logged_in_staff_never_get_cached_pages(editor_client, demo_tumour):
    Client().get("/tumours/leiomyosarcoma/")  # an anonymous visitor fills the cache
    Tumour.objects.filter(pk=demo_tumour.pk).update(name="Changed behind the cache's back")
    html = editor_client.get("/tumours/leiomyosarcoma/").content.decode()
    assert "Changed behind the cache" in html


def test_query_strings_and_posts_bypass_the_cache(client, demo_tumour):
    client.get("/tumours/leiomyosarcoma/")
    Tumour.objects.filter(pk=demo_tumour.pk).update(name="Renamed quietly")
    assert "Renamed quietly" in client.get("/tumours/leiomyosarcoma/?utm_source=x").content.decode()
    assert "Renamed quietly" not in client.get("/tumours/leiomyosarcoma/").content.decode()


def test_request_form_is_never_cached(client, demo_tumour):
    first = client.get("/tumours/leiomyosarcoma/request-test/")
    Tumour.objects.filter(pk=demo_tumour.pk).update(name="Renamed quietly")
    second = client.get("/tumours/leiomyosarcoma/request-test/")
    assert first.status_code == 200
    assert "Renamed quietly" in second.content.decode()


def test_pages_that_are_not_found_are_not_cached(client, db):
    assert client.get("/tumours/coming-soon/").status_code == 404
    TumourFactory(slug="coming-soon")
    assert client.get("/tumours/coming-soon/").status_code == 200


def test_private_responses_are_not_stored(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from tumours.cache import cache_public_page

    calls = []

    @cache_public_page
    def preview(request):
        calls.append(1)
        return HttpResponse("draft", headers={"Cache-Control": "private, no-store"})

    for _ in range(2):
        request = rf.get("/preview/")
        request.user = AnonymousUser()
        preview(request)
    assert len(calls) == 2


FRESH = "Freshly edited text."


def edit_summary(tumour):
    tumour.summary = FRESH
    tumour.save()


def edit_section(tumour):
    section = Section.objects.filter(tumour=tumour).first()
    section.body = FRESH
    section.save()


def add_section(tumour):
    SectionFactory(tumour=tumour, body=FRESH)


def edit_source(tumour):
    source = Source.objects.get(tumour=tumour)
    source.title = FRESH
    source.publisher = ""
    source.save()


def add_source(tumour):
    SourceFactory(tumour=tumour, title=FRESH, publisher="")


def edit_kit(tumour):
    kit = TestKit.objects.get()
    kit.description = FRESH
    kit.save()


def swap_kit(tumour):
    tumour.test_kits.set([TestKitFactory(name=FRESH, slug="other")])


@pytest.mark.parametrize(
    "change", [edit_summary, edit_section, add_section, edit_source, add_source, edit_kit, swap_kit]
)
def test_any_write_to_a_tumour_page_shows_at_once_after_its_commit(client, demo_tumour, change,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    # Whatever wrote it (an approval, a superuser's shell): the cache is dropped when the write commits.
    before = client.get("/tumours/leiomyosarcoma/").content
    assert client.get("/tumours/leiomyosarcoma/").content == before  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        change(demo_tumour)
    assert FRESH in client.get("/tumours/leiomyosarcoma/").content.decode()


def test_deleting_a_section_removes_it_at_once(client, demo_tumour, django_capture_on_commit_callbacks):
    assert "Treatment" in client.get("/tumours/leiomyosarcoma/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Section.objects.get(tumour=demo_tumour, heading="Treatment").delete()
    assert "Treatment" not in client.get("/tumours/leiomyosarcoma/").content.decode()


def test_the_cache_is_dropped_on_commit_not_before(client, demo_tumour, django_capture_on_commit_callbacks):
    client.get("/tumours/leiomyosarcoma/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        edit_summary(demo_tumour)
    # Not yet committed: the cached copy (built from committed text) is still what visitors get.
    assert FRESH not in client.get("/tumours/leiomyosarcoma/").content.decode()
    for callback in callbacks:
        callback()
    assert FRESH in client.get("/tumours/leiomyosarcoma/").content.decode()


@pytest.mark.parametrize("url", ["/", "/tumours/", "/sitemap-tumours.xml"])
def test_lists_follow_approving_renaming_and_unpublishing_at_once(client, demo_tumour, draft, editor, reviewer, url,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    assert "leiomyosarcoma" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(tumour=draft, by=editor)
        services.approve(tumour=draft, by=reviewer)
    assert "angiosarcoma" in client.get(url).content.decode().lower()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_draft(tumour=draft, by=editor, fields={"name": "Kaposi sarcoma", "slug": "kaposi-sarcoma"})
    assert "kaposi" not in client.get(url).content.decode().lower()  # a draft changes nothing public
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(tumour=draft, by=editor)
        services.approve(tumour=draft, by=reviewer)
    html = client.get(url).content.decode().lower()
    assert "kaposi-sarcoma" in html and "angiosarcoma" not in html
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish(tumour=demo_tumour, by=reviewer, reason="Under correction.")
    assert "leiomyosarcoma" not in client.get(url).content.decode().lower()
    assert client.get("/tumours/leiomyosarcoma/").status_code == 404


def test_cached_pages_expire_when_a_scheduled_change_goes_live(settings):
    from tumours.cache import _timeout

    settings.PAGE_CACHE_SECONDS = 600
    assert _timeout(None) == 600
    assert 29 <= _timeout(timezone.now() + timezone.timedelta(seconds=30)) <= 30
    assert _timeout(timezone.now() + timezone.timedelta(seconds=0.5)) == 0  # not stored at all
    assert _timeout(timezone.now() - timezone.timedelta(seconds=30)) == 0


def test_tumour_page_answers_conditional_requests(client, demo_tumour, django_capture_on_commit_callbacks):
    first = client.get("/tumours/leiomyosarcoma/")
    etag = first["ETag"]
    assert etag
    assert client.get("/tumours/leiomyosarcoma/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        edit_summary(demo_tumour)
    changed = client.get("/tumours/leiomyosarcoma/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("n_sections", [1, 40])
def test_tumour_page_costs_the_same_queries_whatever_its_length(client, kit, n_sections,
                                                                django_assert_max_num_queries):  # fmt: skip
    tumour = TumourFactory(test_kits=[kit])
    SectionFactory.create_batch(n_sections, tumour=tumour)
    SourceFactory.create_batch(5, tumour=tumour)
    with django_assert_max_num_queries(5):
        html = client.get(tumour.get_absolute_url()).content.decode()
    assert html.count('<section class="tumour__section"') == n_sections


@pytest.mark.parametrize("n_tumours", [1, 30])
def test_index_and_home_cost_fixed_queries(client, kit, n_tumours, django_assert_max_num_queries):
    for n in range(n_tumours):
        TumourFactory(test_kits=[kit], also_known_as=f"alias {n}, other {n}")
    # The A–Z pages: tests/tumours/test_a_to_z.py.
    for url in ["/", "/sitemap-tumours.xml"]:
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200


def test_cached_page_answered_before_the_session_carries_the_same_headers(client, demo_tumour, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware

    first = client.get("/tumours/leiomyosarcoma/")
    # From here neither the session middleware nor the view may run: the page cache middleware answers first.
    monkeypatch.setattr(SessionMiddleware, "process_request", lambda *a: pytest.fail("the session was loaded"))
    monkeypatch.setattr("tumours.views.render", lambda *a, **k: pytest.fail("the view rendered a cached page"))
    # Every header, byte for byte (Content-Length and the ETag included); HEAD gets no ETag, as on the full path.
    full = dict(first.headers.items())
    for method, expected in ((client.get, full), (client.head, {k: v for k, v in full.items() if k != "ETag"})):
        second = method("/tumours/leiomyosarcoma/")
        assert second.status_code == 200
        assert dict(second.headers.items()) == expected
    assert client.get("/tumours/leiomyosarcoma/").content == first.content
