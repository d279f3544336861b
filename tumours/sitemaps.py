from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Tumour


class PagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["tumours:home", "tumours:index"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        # Both list every published page, so they change whenever one of those does.
        if not hasattr(self, "_latest"):
            self._latest = Tumour.objects.published().aggregate(latest=Max("updated_at"))["latest"]
        return self._latest


class TumourSitemap(Sitemap):
    changefreq = "monthly"
    priority = 1.0

    def items(self):
        return Tumour.objects.published().only("slug", "updated_at").order_by("name", "pk")

    def lastmod(self, tumour):
        return tumour.updated_at


SITEMAPS = {"pages": PagesSitemap, "tumours": TumourSitemap}
