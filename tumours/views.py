from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from .cache import cache_public_page
from .index import a_to_z, letter_bar
from .models import Tumour
from .search import search_tumours
from .sitemaps import SITEMAPS


@cache_public_page
def home(request):
    tumours = Tumour.objects.published().prefetch_related("test_kits")
    return render(request, "tumours/home.html", {"tumours": tumours})


@cache_public_page
def index(request):
    letters = a_to_z(Tumour.objects.published())
    return render(request, "tumours/index.html", {"letters": letters, "letter_bar": letter_bar(letters)})


@cache_public_page
def detail(request, slug):
    tumour = get_object_or_404(Tumour.objects.published().with_page_content(), slug=slug)
    return render(request, "tumours/detail.html", {"tumour": tumour})


def search(request):
    results = search_tumours(query=request.GET.get("q", ""))
    return render(request, "tumours/search.html", {"results": results})


@cache_public_page
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="tumours:sitemap_section")


@cache_public_page
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


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
