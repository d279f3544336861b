from django.urls import path

from . import feedback_views, search_views, views

app_name = "tumours"

urlpatterns = [
    path("", views.home, name="home"),
    path("tumours/", views.index, name="index"),
    path("tumours/<slug:slug>/", views.detail, name="detail"),
    path("tumours/<slug:slug>/feedback/", feedback_views.feedback, name="feedback"),
    path("tumours/<slug:slug>/feedback/thanks/", feedback_views.feedback_thanks, name="feedback_thanks"),
    path("tests/", views.kit_index, name="kits"),
    path("tests/<slug:slug>/", views.kit_detail, name="kit"),
    path("tests/<slug:slug>/request/", views.kit_request, name="kit_request"),
    path("search/", search_views.search, name="search"),
    path("preview/<str:token>/", views.draft_preview, name="draft_preview"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
