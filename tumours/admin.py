from django.contrib import admin
from django.db import models
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from .models import Section, Source, TestKit, Tumour

MARKDOWNX_OVERRIDES = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
# Editors paste addresses without a scheme; assume the secure one (Django 6's default too).
URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "body"]
    formfield_overrides = MARKDOWNX_OVERRIDES


class SourceInline(admin.TabularInline):
    model = Source
    extra = 0
    fields = ["position", "title", "url", "publisher", "accessed_on", "licence", "licence_url"]
    formfield_overrides = URL_OVERRIDES


@admin.register(Tumour)
class TumourAdmin(admin.ModelAdmin):
    list_display = ["name", "also_known_as", "status", "published_at", "updated_at"]
    list_filter = ["status", "test_kits"]
    search_fields = ["name", "also_known_as", "summary", "sections__heading"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["test_kits"]
    formfield_overrides = MARKDOWNX_OVERRIDES
    inlines = [SectionInline, SourceInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "also_known_as", "summary"]}),
        ("Test kits", {"fields": ["test_kits"]}),
        ("Publishing", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
    ]

    class Media:
        # Gives rows added with "Add another" a live markdownx editor too.
        js = ["js/markdownx-inline.js"]


@admin.register(TestKit)
class TestKitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = MARKDOWNX_OVERRIDES


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "tumour", "licence"]
    list_filter = ["publisher", "licence"]
    search_fields = ["title", "publisher", "tumour__name"]
    list_select_related = ["tumour"]
    formfield_overrides = URL_OVERRIDES
