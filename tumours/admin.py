import datetime

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import history
from .forms import SectionFormSet, SourceFormSet, TumourAdminForm
from .models import REVIEW_WARNING_DAYS, OldSlug, Section, Source, TestKit, Tumour
from .views import render_page, with_unsaved_content
from .workflow import can_edit, can_publish, record_status_change

MARKDOWNX_OVERRIDES = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
# Editors paste addresses without a scheme; assume the secure one (Django 6's default too).
URL_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class GuardedInlineMixin:
    """Rows of a published page are as locked as the page itself (see workflow.can_edit)."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit(request.user, obj)


class SectionInline(GuardedInlineMixin, admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["position", "heading", "body"]
    formfield_overrides = MARKDOWNX_OVERRIDES


class SourceInline(GuardedInlineMixin, admin.TabularInline):
    model = Source
    formset = SourceFormSet
    extra = 0
    fields = ["position", "title", "url", "publisher", "accessed_on", "licence", "licence_url"]
    formfield_overrides = URL_OVERRIDES


class GuardedVersionAdmin(VersionAdmin):
    """django-reversion's admin, with "recover deleted" (a raw restore that bypasses the workflow) for superusers."""

    change_list_template = None  # Django's, without reversion's "Recover deleted" button

    def recoverlist_view(self, request, extra_context=None):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)


class ReviewFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", f"Due within {REVIEW_WARNING_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_soon()
        return queryset


@admin.register(Tumour)
class TumourAdmin(GuardedVersionAdmin):
    form = TumourAdminForm
    list_display = ["name", "also_known_as", "status", "published_at", "next_review_due", "updated_at"]
    list_filter = ["status", ReviewFilter, "test_kits"]
    search_fields = ["name", "also_known_as", "summary", "sections__heading"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["test_kits"]
    formfield_overrides = MARKDOWNX_OVERRIDES
    inlines = [SectionInline, SourceInline]
    readonly_fields = ["created_at", "updated_at", "first_published_at", "status_history", "old_addresses"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "also_known_as", "summary"]}),
        ("Test kits", {"fields": ["test_kits"]}),
        ("Clinical review", {"fields": ["last_reviewed_on", "next_review_due", "reviewed_by"]}),
        (
            "Publishing",
            {"fields": ["status", "published_at", "first_published_at", "status_history", "created_at", "updated_at"]},
        ),
        ("Old addresses", {"fields": ["old_addresses"]}),
    ]

    class Media:
        # Gives rows added with "Add another" a live markdownx editor too.
        js = ["js/markdownx-inline.js"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        old_status = form.initial.get("status") if change else None
        super().save_model(request, obj, form, change)
        record_status_change(tumour=obj, old=old_status, user=request.user)

    @admin.display(description="Status changes")
    def status_history(self, obj):
        changes = obj.status_changes.select_related("changed_by")[:50] if obj.pk else []
        if not changes:
            return "None recorded yet."
        labels = dict(Tumour.Status.choices)
        rows = format_html_join(
            "",
            "<li>{} → {} by {} on {}</li>",
            (
                (
                    labels.get(c.from_status, "New page"),
                    labels[c.to_status],
                    c.changed_by.get_username() if c.changed_by else "someone no longer on staff",
                    timezone.localtime(c.changed_at).strftime("%d %b %Y %H:%M"),
                )
                for c in changes
            ),
        )
        return format_html("<ul class='status-history'>{}</ul>", rows)

    @admin.display(description="Old addresses that redirect here")
    def old_addresses(self, obj):
        slugs = list(obj.old_slugs.values_list("slug", flat=True)) if obj.pk else []
        if not slugs:
            return "None."
        return format_html_join(", ", "/tumours/{}/", ((slug,) for slug in slugs))

    # Extra admin pages: preview, review due, compare and restore.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("review-due/", wrap(self.review_due_view), name="{}_{}_review_due".format(*info)),
            path("<path:object_id>/preview/", wrap(self.preview_view), name="{}_{}_preview".format(*info)),
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                wrap(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
        ] + super().get_urls()

    def _get_tumour(self, request, object_id) -> Tumour:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such tumour.")
        return obj

    def preview_view(self, request, object_id):
        # Model-level change permission: reviewers and editors alike may look before they save.
        if not request.user.has_perm("tumours.change_tumour"):
            raise PermissionDenied
        tumour = self._get_tumour(request, object_id)
        if request.method != "POST":
            tumour = Tumour.objects.with_page_content().get(pk=tumour.pk)
            return render_page(request, tumour, banner=preview_banner(tumour, unsaved=False))
        form = self.get_form(request, tumour, change=True)(request.POST, request.FILES, instance=tumour)
        form.for_preview = True
        form.is_valid()  # fills the unsaved instance; a preview shows whatever is valid
        tumour._skip_publish_checks = True
        formsets, _ = self._create_formsets(request, tumour, change=True)
        rows = {}
        for formset in formsets:
            formset.is_valid()
            rows[formset.model] = [
                form.instance
                for form in formset.forms
                if form.is_valid()
                and not formset._should_delete_form(form)
                and (form.instance.pk is not None or form.has_changed())
            ]
        kits = list(form.cleaned_data.get("test_kits", tumour.test_kits.all()))
        with_unsaved_content(tumour, sections=rows.get(Section, []), sources=rows.get(Source, []), kits=kits)
        return render_page(request, tumour, banner=preview_banner(tumour, unsaved=True))

    def review_due_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Pages due for clinical review",
            "today": today,
            "overdue": Tumour.objects.review_overdue(today).by_review_date(),
            "due_soon": Tumour.objects.review_due_soon(today).by_review_date(),
            "warning_days": REVIEW_WARNING_DAYS,
            "soon_until": today + datetime.timedelta(REVIEW_WARNING_DAYS),
        }
        return TemplateResponse(request, "admin/tumours/tumour/review_due.html", context)

    def compare_view(self, request, object_id, version_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        tumour = self._get_tumour(request, object_id)
        version = get_object_or_404(history.versions_of(tumour), pk=version_id)
        may_restore = self.has_change_permission(request, tumour)
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            try:
                history.restore_version(tumour=tumour, version=version, user=request.user)
            except history.RestoreError as error:
                messages.error(request, str(error))
                return redirect(request.path)
            messages.success(request, "The page, its sections and its sources were restored to the chosen version.")
            return redirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": tumour,
            "title": f"Compare a version of “{tumour.name}” with the current page",
            "version": version,
            "diffs": history.diff(history.version_text(version), history.current_text(tumour)),
            "may_restore": may_restore,
        }
        return TemplateResponse(request, "admin/tumours/tumour/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # The history list links here; our compare page shows the diff and restores in one step.
        get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        return redirect(reverse("admin:tumours_tumour_compare", args=[unquote(object_id), version_id]))


def touch_page(tumour: Tumour, request) -> None:
    # A source edited on its own still makes a full version of its page, and makes open page forms stale.
    with reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment("Changed its sources.")
        tumour.save(update_fields=["updated_at"])


def preview_banner(tumour: Tumour, *, unsaved: bool) -> str:
    state = "visible to the public" if tumour.is_public else "not visible to the public"
    if unsaved:
        return f"Preview of unsaved changes — not visible to the public. The saved page is {state}."
    if tumour.is_public:
        return "Preview — this is the page as the public sees it now."
    return "Draft — not visible to the public"


@admin.register(TestKit)
class TestKitAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = MARKDOWNX_OVERRIDES


@admin.register(Source)
class SourceAdmin(GuardedVersionAdmin):
    list_display = ["title", "publisher", "tumour", "licence"]
    list_filter = ["publisher", "licence"]
    search_fields = ["title", "publisher", "tumour__name"]
    list_select_related = ["tumour"]
    formfield_overrides = URL_OVERRIDES

    # Sources of a live page change only with a reviewer's sign-off, as on the tumour's own form.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit(request.user, obj and obj.tumour)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit(request.user, obj and obj.tumour)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        touch_page(obj.tumour, request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        touch_page(obj.tumour, request)

    def delete_queryset(self, request, queryset):
        pages = {source.tumour for source in queryset.select_related("tumour")}
        super().delete_queryset(request, queryset)
        for tumour in pages:
            touch_page(tumour, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tumour" and not can_publish(request.user):
            kwargs["queryset"] = Tumour.objects.exclude(status=Tumour.Status.PUBLISHED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(OldSlug)
class OldSlugAdmin(admin.ModelAdmin):
    list_display = ["slug", "tumour", "created_at"]
    search_fields = ["slug", "tumour__name"]
    list_select_related = ["tumour"]
    fields = ["slug", "tumour"]
