import re

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import services
from .cache import cache_public_page
from .citations import PageCitations, page_citations
from .content import PageContent, build, live_page
from .editorial import Draft
from .index import a_to_z, entries_html, letter_bar
from .models import OldSlug, Tumour, next_review_after
from .sitemaps import SITEMAPS, urlset_response

DRAFT_BANNER = "Draft — not visible to the public"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PREVIEW_LINK_BANNER = "Draft preview, not published. This page may change before it goes live."


@cache_public_page
def home(request):
    tumours = Tumour.objects.published().prefetch_related("test_kits")
    return render(request, "tumours/home.html", {"tumours": tumours})


@cache_public_page
def index(request):
    letters = a_to_z(Tumour.objects.published())
    items = [(letter, entries_html(entries)) for letter, entries in letters]
    return render(request, "tumours/index.html", {"letters": items, "letter_bar": letter_bar(letters)})


@cache_public_page
def detail(request, slug):
    tumour = Tumour.objects.published().with_page_content().filter(slug=slug).first()
    if tumour is not None:
        return render(request, "tumours/detail.html", page_context(live_page(tumour)))
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


def draft_preview(request, token):
    """A draft shared by a reviewer with someone without an account: read-only, never cached or indexed."""
    found = services.page_for_preview_token(token)
    if found is None:
        response = render(request, "tumours/preview_ended.html", status=404)
        patch_cache_control(response, private=True, no_store=True)
        return response
    tumour, draft = found
    return render_private(request, draft_page(tumour, draft), banner=PREVIEW_LINK_BANNER, staff_links=False)


def page_context(page: PageContent) -> dict:
    return {
        "tumour": page.tumour,
        "sections": page.sections,
        "sources": page.sources,
        "kits": page.kits,
        "citations": citations_of(page),
    }


def citations_of(page: PageContent) -> PageCitations:
    """The page's texts rendered with numbered citations: the public page, every preview and the review screen."""
    texts = [("summary", page.tumour.summary), *((section.anchor, section.body) for section in page.sections)]
    return page_citations(texts=texts, keys=[source.key for source in page.sources])


def draft_page(tumour: Tumour, draft: Draft | None, content: dict | None = None) -> PageContent:
    """The page as it would be if `draft` (or unsaved `content`) were approved today as a clinical review."""
    page = build(content or draft.revision.content, onto=tumour)
    if not SLUG.fullmatch(page.tumour.slug):
        # An unsaved form's address may not be valid yet; its links still need one.
        page.tumour.slug = tumour.slug or "new-page"
    today = timezone.localdate()
    page.tumour.last_reviewed_on = today
    page.tumour.next_review_due = next_review_after(today)
    page.tumour.reviewed_by = "the clinical reviewer who approves this draft"
    return page


def render_private(request, page: PageContent, *, banner: str, staff_links: bool = True):
    """The public page for someone allowed to see what the public cannot: never stored by any cache."""
    context = {**page_context(page), "draft_banner": banner, "staff_links": staff_links}
    response = render(request, "tumours/detail.html", context)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@cache_public_page
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="tumours:sitemap_section")


@cache_public_page
def sitemap_section(request, section):
    return urlset_response(sitemap_views.sitemap(request, SITEMAPS, section=section))


@cache_public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /orders/",
        "Disallow: /tumours/*/request-test/",
        "Disallow: /tumours/*/feedback/",
        "Disallow: /search/",
        "Disallow: /preview/",
        "",
        f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('tumours:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
