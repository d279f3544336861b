from django.urls import path, re_path

from . import feedback_views, index_views, search_views, views

app_name = "tumours"
LETTER = r"(?P<letter>[a-z]|0-9)"

urlpatterns = [
    path("", views.home, name="home"),
    path("tumours/", index_views.index, name="index"),
    # A letter is a-z or 0-9 (any other first character): the pattern cannot take a tumour's sub-page.
    re_path(rf"^tumours/letter/{LETTER}/$", index_views.letter, name="letter"),
    re_path(rf"^tumours/letter/{LETTER}/(?P<page>[1-9][0-9]{{0,4}})/$", index_views.letter_page, name="letter_page"),
    path("tumours/<slug:slug>/", views.detail, name="detail"),
    path("tumours/<slug:slug>/feedback/", feedback_views.feedback, name="feedback"),
    path("tumours/<slug:slug>/feedback/thanks/", feedback_views.feedback_thanks, name="feedback_thanks"),
    path("tests/", views.kit_index, name="kits"),
    path("tests/<slug:slug>/", views.kit_detail, name="kit"),
    path("tests/<slug:slug>/request/", views.kit_request, name="kit_request"),
    path("search/", search_views.search, name="search"),
    path("preview/<str:token>/", views.draft_preview, name="draft_preview"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>-<int:page>.xml", views.sitemap_file, name="sitemap_file"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
