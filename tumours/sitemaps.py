"""Sitemaps: an index at /sitemap.xml listing one or more files per section, each file small enough to answer fast.

The sections are Django Sitemap classes (items, location, lastmod, limit). The protocol allows 50,000 URLs a file,
but one file of 10,000 tumour pages took ~100 ms to write alone and ~360 ms under load; split into files of
`limit` URLs (FILE_LIMIT), each is a fraction of that whatever the site's size. A section's files have addresses
of their own, /sitemap-tumours.xml then /sitemap-tumours-2.xml..., not Django's `?p=2`, so that the page cache
answers them early like any page without a query string (`?p=` still works: it redirects there).
"""

from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet
from django.urls import reverse

from .index import entry_counts, letter_page_numbers, letter_url
from .models import TestKit, Tumour

SLUG_PLACEHOLDER = "slug-placeholder"
FILE_LIMIT = 2000  # URLs per sitemap file


class PagesSitemap(Sitemap):
    """Home, the A–Z index and each of its letter pages, and the list of tests once it lists one."""

    changefreq = "weekly"
    priority = 0.8
    limit = FILE_LIMIT

    def items(self):
        # Each lists published pages (the home page both kinds), so it changes whenever one of those does.
        tumours = Tumour.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        kits = TestKit.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        home = max(filter(None, [tumours, kits]), default=None)
        items = [(reverse("tumours:home"), home), (reverse("tumours:index"), tumours)]
        items += [(letter_url(letter, number), tumours) for letter, number in letter_page_numbers(entry_counts())]
        if kits:
            items.append((reverse("tumours:kits"), kits))
        return items

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


class TumourSitemap(Sitemap):
    changefreq = "monthly"
    priority = 1.0
    limit = FILE_LIMIT

    def items(self):
        # Plain rows, not model instances (10,000 instances cost ~0.2 s), in the order of the primary key: a
        # file further on is an index range scan, and a new page joins the last file.
        return Tumour.objects.published().order_by("pk").values_list("slug", "updated_at", named=True)

    def location(self, tumour):
        # One reverse() for all items: 10,000 reverse() calls cost a noticeable part of the file.
        if not hasattr(self, "_pattern"):
            self._pattern = reverse("tumours:detail", kwargs={"slug": SLUG_PLACEHOLDER})
        return self._pattern.replace(SLUG_PLACEHOLDER, tumour.slug)

    def lastmod(self, tumour):
        return tumour.updated_at


class KitSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.9
    limit = FILE_LIMIT

    def items(self):
        return TestKit.objects.published().order_by("pk").values_list("slug", "updated_at", named=True)

    def location(self, kit):
        return reverse("tumours:kit", kwargs={"slug": kit.slug})

    def lastmod(self, kit):
        return kit.updated_at


SITEMAPS = {"pages": PagesSitemap, "tumours": TumourSitemap, "tests": KitSitemap}


def file_url(section: str, number: int) -> str:
    if number == 1:
        return reverse("tumours:sitemap_section", kwargs={"section": section})
    return reverse("tumours:sitemap_file", kwargs={"section": section, "page": number})


def index_xml(base: str) -> str:
    """The sitemap index: every file of every section, each with the latest change of what it lists."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for section, sitemap_class in SITEMAPS.items():
        for number, latest in enumerate(file_lastmods(sitemap_class()), start=1):
            parts.append(f"<sitemap><loc>{escape(base + file_url(section, number))}</loc>")
            parts.append(f"<lastmod>{latest:%Y-%m-%d}</lastmod></sitemap>\n" if latest else "</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return "".join(parts)


def file_lastmods(sitemap: Sitemap) -> list:
    """The latest change among the items of each of the sitemap's files (at least one file, maybe empty)."""
    items = sitemap.items()
    if not isinstance(items, QuerySet):
        changes = [sitemap.lastmod(item) for item in items]
        chunks = [changes[start : start + sitemap.limit] for start in range(0, len(changes), sitemap.limit)]
        return [max(filter(None, chunk), default=None) for chunk in chunks] or [None]
    # Pages listed by primary key (as TumourSitemap and KitSitemap order them): two queries, the keys, then every
    # file's latest updated_at in one aggregate, rather than a row with its date per page.
    pks = list(items.values_list("pk", flat=True))
    ranges = [
        (pks[start - 1] if start else 0, pks[start : start + sitemap.limit][-1])
        for start in range(0, len(pks), sitemap.limit)
    ]
    if not ranges:
        return [None]
    latest = items.aggregate(
        **{
            f"file{n}": Max("updated_at", filter=Q(pk__gt=after, pk__lte=until))
            for n, (after, until) in enumerate(ranges)
        }
    )
    return [latest[f"file{n}"] for n in range(len(ranges))]


URLSET_OPEN = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def urlset_xml(section: str, number: int, base: str) -> str | None:
    """One file of a section (None: no such file). Page 1 exists even when empty: the index always lists it."""
    sitemap = SITEMAPS[section]()
    items = sitemap.items()
    shown = items[(number - 1) * sitemap.limit : number * sitemap.limit]
    if number > 1 and not shown:
        return None
    changefreq, priority = escape(str(sitemap.changefreq)), escape(str(sitemap.priority))
    parts = [URLSET_OPEN]
    for item in shown:
        lastmod = sitemap.lastmod(item)
        parts.append(f"<url><loc>{escape(base + sitemap.location(item))}</loc>")
        if lastmod:
            parts.append(f"<lastmod>{lastmod:%Y-%m-%d}</lastmod>")
        parts.append(f"<changefreq>{changefreq}</changefreq><priority>{priority}</priority></url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)
