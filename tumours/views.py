import re

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import services
from . import surrogate_keys as keys
from .cache import cache_public_page
from .content import KitPageContent, PageContent, build, live_kit_page
from .editorial import Draft
from .index import entries_html, group_entries
from .models import OldSlug, ReviewedPage, TestKit, Tumour, next_review_after
from .page_kinds import KIT, kind_of
from .public_forms import PickTumourForm
from .sitemaps import SITEMAPS, urlset_xml
from .sitemaps import file_url as sitemap_file_url
from .sitemaps import index_xml as sitemap_index_xml
from .structured_data import kit_breadcrumbs

DRAFT_BANNER = "Draft — not visible to the public"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PREVIEW_LINK_BANNER = "Draft preview, not published. This page may change before it goes live."


@cache_public_page
@keys.shows(keys.HOME, keys.TUMOUR_LIST, keys.KIT_LIST)
def home(request):
    tumours = Tumour.objects.published().prefetch_related("test_kits")
    return render(request, "tumours/home.html", {"tumours": tumours, "published_kits": published_kits()})


@cache_public_page
def detail(request, slug):
    tumour = Tumour.objects.published().prefetch_related("sections", "sources").filter(slug=slug).first()
    if tumour is not None:
        offered, public = _kits_for(tumour)
        page = PageContent(tumour, list(tumour.sections.all()), list(tumour.sources.all()), offered)
        response = render(request, page.template, {**page.context(), "published_kits": public})
        return keys.tag(response, keys.tumour(tumour.pk), *(keys.kit(kit.pk) for kit in offered), keys.KIT_LIST)
    may_preview = request.user.has_perm(services.CHANGE_PERMISSION)
    if may_preview:
        # Staff open a page that is not live at its address: they see its draft, marked as such.
        tumour = Tumour.objects.filter(slug=slug).first()
        draft = services.draft_of(tumour) if tumour else None
        if draft is not None:
            return render_private(request, draft_page(tumour, draft), banner=DRAFT_BANNER)
    old = OldSlug.objects.select_related("tumour").filter(slug=slug).first()
    if old is not None and (old.tumour.is_public or may_preview):
        return redirect(old.tumour.get_absolute_url(), permanent=True)
    raise Http404("No such tumour page.")


def _kits_for(tumour: Tumour) -> tuple[list[TestKit], list[TestKit]]:
    """The kits the page offers, and the published kit pages the footer links to: one query for both."""
    offered = Tumour.test_kits.through.objects.filter(tumour_id=tumour.pk, testkit_id=OuterRef("pk"))
    kits = TestKit.objects.annotate(offered=Exists(offered)).filter(
        Q(offered=True) | Q(status=TestKit.Status.PUBLISHED)
    )
    kits = list(kits)
    return [kit for kit in kits if kit.offered], [kit for kit in kits if kit.is_public]


def published_kits() -> list[TestKit]:
    """The kit pages the public may see: for the home page, the footer and search."""
    return list(TestKit.objects.for_links())


# Test kit pages.


@cache_public_page
@keys.shows(keys.KITS, keys.KIT_LIST)
def kit_index(request):
    return render(request, "tumours/kits.html", {"published_kits": published_kits()})


@cache_public_page
def kit_detail(request, slug):
    kit = TestKit.objects.published().with_page_content().filter(slug=slug).first()
    if kit is not None:
        # The page lists the tumours offering the kit.
        return keys.tag(render_kit(request, live_kit_page(kit)), keys.kit(kit.pk), keys.TUMOUR_LIST, keys.KIT_LIST)
    if request.user.has_perm(KIT.change_permission):
        # As for tumour pages: staff who open a kit page that is not live see its draft, marked as such.
        kit = TestKit.objects.filter(slug=slug).first()
        draft = services.draft_of(kit) if kit else None
        if draft is not None:
            return render_private(request, draft_page(kit, draft), banner=DRAFT_BANNER)
    raise Http404("No such test page.")


def kit_request(request, slug):
    """The kit page's "pick your tumour" form (a GET, so it works without JavaScript): on to that tumour's
    request form, or back to the kit page with the problem said."""
    kit = get_object_or_404(TestKit.objects.published().with_page_content(), slug=slug)
    page = live_kit_page(kit)
    form = PickTumourForm(request.GET, tumours=page.tumours, kit=kit)
    if form.is_valid():
        target = reverse("orders:request_test", args=[form.cleaned_data["tumour"]])
        return redirect(f"{target}?kit={kit.slug}")
    response = render_kit(request, page, pick_form=form)
    response["X-Robots-Tag"] = "noindex"
    return response


def render_kit(request, page: KitPageContent, *, pick_form: PickTumourForm | None = None, **extra):
    context = {**page_template_context(page, pick_form=pick_form), **extra}
    context.setdefault("published_kits", published_kits())
    return render(request, page.template, context)


def page_template_context(page: PageContent | KitPageContent, *, pick_form: PickTumourForm | None = None) -> dict:
    """What a page's template (and the article the review screen shows) needs."""
    if not isinstance(page, KitPageContent):
        return page.context()
    return {
        **page.context(),
        "pick_form": pick_form or PickTumourForm(tumours=page.tumours, kit=page.kit),
        "tumour_entries": kit_tumour_entries(page),
        "company": settings.SITE_COMPANY_NAME,
        "breadcrumbs": kit_breadcrumbs(page.kit),
    }


def kit_tumour_entries(page: KitPageContent):
    """The tumours offering the kit as one A–Z list, each name and alias linked to its page."""
    rows = [(tumour.name, tumour.slug, tumour.also_known_as, False) for tumour in page.tumours]
    return entries_html([entry for _, entries in group_entries(rows) for entry in entries])


# Drafts and previews, of any kind of page.


def draft_preview(request, token):
    """A draft shared by a reviewer with someone without an account: read-only, never cached or indexed."""
    found = services.page_for_preview_token(token)
    if found is None:
        response = render(request, "tumours/preview_ended.html", status=404)
        patch_cache_control(response, private=True, no_store=True)
        return response
    page, draft = found
    return render_private(request, draft_page(page, draft), banner=PREVIEW_LINK_BANNER, staff_links=False)


def draft_page(page: ReviewedPage, draft: Draft | None, content: dict | None = None) -> PageContent | KitPageContent:
    """The page as it would be if `draft` (or unsaved `content`) were approved today as a clinical review."""
    built = build(content or draft.revision.content, onto=page)
    row = built.page
    if not SLUG.fullmatch(row.slug):
        # An unsaved form's address may not be valid yet; its links still need one.
        row.slug = page.slug or "new-page"
    today = timezone.localdate()
    row.last_reviewed_on = today
    row.next_review_due = next_review_after(today)
    row.reviewed_by = "the clinical reviewer who approves this draft"
    return built


def render_private(request, page: PageContent | KitPageContent, *, banner: str, staff_links: bool = True):
    """The public page for someone allowed to see what the public cannot: never stored by any cache."""
    row = page.page
    edit_url = reverse(kind_of(row).admin_url_name("change"), args=[row.pk]) if staff_links and row.pk else ""
    extra = {"draft_banner": banner, "staff_links": staff_links, "edit_url": edit_url}
    if isinstance(page, KitPageContent):
        response = render_kit(request, page, **extra)
    else:
        response = render(request, page.template, {**page.context(), **extra})
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


SITEMAP_HEADERS = {"X-Robots-Tag": "noindex, noodp, noarchive"}  # as Django's sitemap views send


def _site_base(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _xml(content: str) -> HttpResponse:
    return HttpResponse(content, content_type="application/xml", headers=SITEMAP_HEADERS)


@cache_public_page
@keys.shows(keys.SITEMAP, keys.TUMOUR_LIST, keys.KIT_LIST)
def sitemap_index(request):
    return _xml(sitemap_index_xml(_site_base(request)))


@cache_public_page
@keys.shows(keys.SITEMAP, keys.TUMOUR_LIST, keys.KIT_LIST)
def sitemap_section(request, section):
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    if "p" in request.GET:
        # Django's ?p=N (what the index listed before the files had addresses of their own).
        number = request.GET["p"]
        if not number.isdigit() or not 1 <= int(number) <= 100_000:
            raise Http404("No such sitemap page.")
        return redirect(sitemap_file_url(section, int(number)), permanent=True)
    return _xml(urlset_xml(section, 1, _site_base(request)))


@cache_public_page
@keys.shows(keys.SITEMAP, keys.TUMOUR_LIST, keys.KIT_LIST)
def sitemap_file(request, section, page):
    content = urlset_xml(section, page, _site_base(request)) if section in SITEMAPS and page > 1 else None
    if content is None:
        raise Http404("No such sitemap file.")
    return _xml(content)


@cache_public_page
@keys.shows(keys.ROBOTS)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /orders/",
        "Disallow: /tumours/*/request-test/",
        "Disallow: /tumours/*/feedback/",
        "Disallow: /search/",
        "Disallow: /preview/",
        "Disallow: /tests/*/request/",
        "",
        f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('tumours:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
