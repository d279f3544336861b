"""Surrogate keys: what a public response shows, named so that a front cache (Varnish, a CDN) can drop exactly the
responses a change affects.

A public view names what its page shows (`@shows(...)` or `tag(response, ...)`); oncosite/front_cache.py sends the
names in the Surrogate-Key header and, when content changes, purges the keys `keys_for_change` gives for the rows
written. Two kinds of key:

- what a page is about: `tumour-<pk>` (the tumour's page, at every address it answers), `kit-<pk>` (the kit's page,
  and the kit box of each tumour page offering the kit);
- which list a page shows: `tumour-list` (the published tumours: home, every A–Z page, kit pages, search, sitemap
  files), `kit-list` (the published kits: the footer of every page, /tests/, the kits' sitemap).

Each page also carries its own kind (`home`, `index`, `search`, `sitemap`, `kits`, `robots`, `site-page`) for an
operator's targeted purge, and every public response carries `all`, which `purge_front_cache --all` purges.
"""

from functools import wraps

from django.http import HttpResponse

HEADER = "Surrogate-Key"
ALL = "all"
TUMOUR_LIST = "tumour-list"
KIT_LIST = "kit-list"
HOME, INDEX, SEARCH, SITEMAP, KITS, ROBOTS, SITE_PAGE = (
    "home",
    "index",
    "search",
    "sitemap",
    "kits",
    "robots",
    "site-page",
)
# Every HTML page has the footer, which lists the published kits.
PAGE = (KIT_LIST,)


def tumour(pk: int) -> str:
    return f"tumour-{pk}"


def kit(pk: int) -> str:
    return f"kit-{pk}"


def tag(response: HttpResponse, *keys: str) -> HttpResponse:
    """Add keys to the response's Surrogate-Key header (space-separated, each once)."""
    known = response.get(HEADER, "").split()
    response[HEADER] = " ".join(dict.fromkeys([ALL, *known, *keys]))
    return response


def shows(*keys: str):
    """A public view whose page shows `keys` (beside those the view adds itself with tag())."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return tag(view(request, *args, **kwargs), *keys)

        return wrapped

    return decorate


def keys_for_change(instance, *, kits: set[int] | None = None) -> set[str]:
    """The keys whose responses change when `instance` (a row of what public pages show) is written or deleted."""
    from .editorial import Draft
    from .models import KitSection, OldSlug, Section, Source, TestKit, Tumour

    if isinstance(instance, Tumour):
        # Name, address, status: its page (at old addresses too) and every list of tumours.
        return {tumour(instance.pk), TUMOUR_LIST}
    if isinstance(instance, Section):
        return {tumour(instance.tumour_id), SEARCH}  # search finds pages by their sections' text
    if isinstance(instance, Source):
        return {tumour(instance.tumour_id)}
    if isinstance(instance, OldSlug):
        return {tumour(instance.tumour_id)}
    if isinstance(instance, TestKit):
        return {kit(instance.pk), KIT_LIST}
    if isinstance(instance, KitSection):
        return {kit(instance.kit_id)}
    if isinstance(instance, Draft) and instance.state == Draft.State.SCHEDULED:
        # Approved to go live later: the pages it will change are fetched again now, so that their s-maxage ends
        # at its go-live time (oncosite/front_cache.py caps it at the next scheduled change).
        from django.contrib.contenttypes.models import ContentType

        model = ContentType.objects.get_for_id(instance.content_type_id).model_class()  # cached: no query
        return keys_for_change(model(pk=instance.object_id))
    return set()
