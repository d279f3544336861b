from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .cache import cache_public_page
from .index import a_to_z, entries_html, letter_bar
from .models import OldSlug, Section, Source, TestKit, Tumour
from .sitemaps import SITEMAPS, urlset_response

DRAFT_BANNER = "Draft — not visible to the public"


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
        return render(request, "tumours/detail.html", {"tumour": tumour})
    may_preview = request.user.has_perm("tumours.change_tumour")
    if may_preview:
        draft = Tumour.objects.with_page_content().filter(slug=slug).first()
        if draft is not None:
            return render_page(request, draft, banner=DRAFT_BANNER)
    old = OldSlug.objects.select_related("tumour").filter(slug=slug).first()
    if old is not None and (old.tumour.is_public or may_preview):
        return redirect(old.tumour.get_absolute_url(), permanent=True)
    raise Http404("No such tumour page.")


def render_page(request, tumour: Tumour, *, banner: str):
    """The public page for someone allowed to see what the public cannot: never stored by any cache."""
    response = render(request, "tumours/detail.html", {"tumour": tumour, "draft_banner": banner})
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _cached(model, rows: list):
    queryset = model.objects.all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def with_unsaved_content(tumour: Tumour, *, sections: list, sources: list, kits: list) -> Tumour:
    # The template reads tumour.sections.all etc.; hand it the unsaved rows as if prefetched.
    tumour._prefetched_objects_cache = {
        "sections": _cached(Section, sorted(sections, key=lambda s: (s.position, s.pk or 0))),
        "sources": _cached(Source, sorted(sources, key=lambda s: (s.position, s.pk or 0))),
        "test_kits": _cached(TestKit, kits),
    }
    return tumour


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
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('tumours:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
