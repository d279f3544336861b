"""The search page: cached for anonymous visitors per query, and rate-limited per client address."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from oncosite.client_ip import client_ip

from . import surrogate_keys as keys
from .cache import cache_public_page
from .kit_search import matching_kits
from .models import TestKit
from .search import clean_query, search_tumours


def search_cache_key(request: HttpRequest) -> str:
    # "Sarcoma", " sarcoma " and "sarcoma&utm=x" are one cached page; the page shows the cleaned query.
    return clean_query(request.GET.get("q", ""))


def _client_key(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


def _search_rate(group: str, request: HttpRequest) -> str:
    return settings.SEARCH_RATE_LIMIT  # read at request time, so tests and deployments can change it


@cache_public_page(query_key=search_cache_key)
@keys.shows(keys.SEARCH, keys.TUMOUR_LIST, keys.KIT_LIST)
def search(request: HttpRequest) -> HttpResponse:
    # Only searches that reach the database count: a cached answer costs nothing to give again.
    if is_ratelimited(request, group="tumours.search", key=_client_key, rate=_search_rate, increment=True):
        response = render(request, "tumours/search_rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    results = search_tumours(query=request.GET.get("q", ""))
    # Kit pages are found by name beside the tumours (tumours/kit_search.py); the same list fills the footer.
    kits = list(TestKit.objects.for_links())
    kit_hits = matching_kits(results.query, kits) if results.query else []
    context = {"results": results, "kit_hits": kit_hits, "found": len(results.hits) + len(kit_hits)}
    return render(request, "tumours/search.html", {**context, "published_kits": kits})
