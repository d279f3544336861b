import datetime

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from . import services
from .admin_evidence import (
    FeedbackFilter,
    LinkProblemFilter,
    ReadingGradeFilter,
    open_feedback_column,
    reading_grade_column,
    with_open_feedback,
)
from .admin_pages import EditorialPagesMixin
from .editorial import Draft, ReviewerProfile
from .feedback import counts_for
from .forms import KitPageForm, PageForm
from .link_health import LinkCheck, LinkUse
from .models import REVIEW_WARNING_DAYS, OldSlug, ReviewedPage, TestKit, Tumour
from .page_kinds import KIT, TUMOUR


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


class EditorialStateFilter(admin.SimpleListFilter):
    title = "editorial state"
    parameter_name = "state"
    states = {
        "live": ("Live", {"status": ReviewedPage.Status.PUBLISHED}),
        "not_live": ("Not published", {"status": ReviewedPage.Status.DRAFT}),
        "draft": ("With draft changes", {"draft_state__isnull": False}),
        Draft.State.IN_REVIEW: ("Awaiting review", {"draft_state": Draft.State.IN_REVIEW}),
        Draft.State.CHANGES_REQUESTED: ("Changes requested", {"draft_state": Draft.State.CHANGES_REQUESTED}),
        Draft.State.SCHEDULED: ("Scheduled", {"draft_state": Draft.State.SCHEDULED}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.states.items()]

    def queryset(self, request, queryset):
        if self.value() in self.states:
            return queryset.filter(**self.states[self.value()][1])
        return queryset


class EditorialPageAdmin(EditorialPagesMixin, admin.ModelAdmin):
    """The list of one kind of page, with where each stands, and its editorial views (tumours/admin_pages.py)."""

    list_display = ["name", "editorial_state", "last_reviewed_on", "next_review_due", "updated_at"]
    ordering = ["name"]

    class Media:
        css = {"all": ["tumours/css/editorial.css"]}
        # Rows added with "Add another" get a live markdownx editor too; sections move up and down.
        js = ["js/markdownx-inline.js", "tumours/js/page-editor.js"]

    def get_queryset(self, request):
        drafts = Draft.objects.filter(
            content_type=ContentType.objects.get_for_model(self.model), object_id=OuterRef("pk")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                draft_state=Subquery(drafts.values("state")[:1]),
                draft_go_live_at=Subquery(drafts.values("go_live_at")[:1]),
            )
        )

    @admin.display(description="State")
    def editorial_state(self, obj):
        return services.state_label(is_live=obj.is_public, draft_state=obj.draft_state, go_live_at=obj.draft_go_live_at)

    def get_urls(self):
        return self.editorial_urls() + super().get_urls()

    def editorial_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view

        def route(pattern, view, name):
            return path(pattern, wrap(view), name="{}_{}_{}".format(*info, name))

        return [
            route("add/preview/", self.preview_view, "add_preview"),
            route("<path:object_id>/preview/", self.preview_view, "preview"),
            route("<path:object_id>/review/", self.review_view, "review"),
            route("<path:object_id>/submit/", self.submit_view, "submit"),
            route("<path:object_id>/withdraw/", self.withdraw_view, "withdraw"),
            route("<path:object_id>/unpublish/", self.unpublish_view, "unpublish"),
            route("<path:object_id>/preview-links/", self.preview_links_view, "preview_links"),
            route("<path:object_id>/history/<int:version_id>/compare/", self.compare_view, "compare"),
        ]


@admin.register(Tumour)
class TumourAdmin(EditorialPageAdmin):
    page_kind, page_keyword, page_form = TUMOUR, "tumour", PageForm
    row_help = {
        "sections": "Shown in this order below the summary. Move a section with its buttons; tick “Remove” to drop it.",
        "sources": "Listed in this order at the end of the page.",
    }
    list_display = [
        "name", "editorial_state", "last_reviewed_on", "next_review_due", "reading_level", "feedback",
        "updated_at",
    ]  # fmt: skip
    list_filter = [
        EditorialStateFilter, ReviewFilter, ReadingGradeFilter, LinkProblemFilter, FeedbackFilter, "test_kits",
    ]  # fmt: skip
    search_fields = ["name", "also_known_as"]

    def get_queryset(self, request):
        return with_open_feedback(super().get_queryset(request))

    @admin.display(description="Reading grade", ordering="reading_grade")
    def reading_level(self, obj):
        return reading_grade_column(obj)

    @admin.display(description="Feedback", ordering="open_feedback")
    def feedback(self, obj):
        return open_feedback_column(obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name

        def route(pattern, view, name):
            return path(pattern, self.admin_site.admin_view(view), name="{}_{}_{}".format(*info, name))

        own = [
            route("review-due/", self.review_due_view, "review_due"),
            route("link-problems/", self.link_problems_view, "link_problems"),
        ]
        return [*own, *super().get_urls()]

    def edit_page_context(self, page):
        old_slugs = list(page.old_slugs.values_list("slug", flat=True)) if page.pk else []
        context = {"old_slugs": old_slugs, "old_slug_prefix": "/tumours/"}
        if page.pk:
            # What the live page's readers and the link checker found: the edit screen warns about it.
            problems = LinkUse.objects.filter(tumour=page, link__state__in=LinkCheck.PROBLEMS).select_related("link")
            context.update(
                link_problems=list(problems),
                feedback_counts=counts_for(page),
                open_feedback=list(page.feedback.open()[:10]),
            )
        return context

    def review_due_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        # One query for both lists: what is needed is overdue or due soon, and the date says which.
        overdue, due_soon = [], []
        for page in Tumour.objects.review_needed(today).distinct().by_review_date():
            (overdue if page.next_review_due is None or page.next_review_due < today else due_soon).append(page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Pages due for clinical review",
            "today": today,
            "overdue": overdue,
            "due_soon": due_soon,
            # Kit pages are reviewed like tumour pages; there are a handful, in one list after them (overdue first).
            "kits_due": TestKit.objects.review_needed(today).distinct().by_review_date(),
            "warning_days": REVIEW_WARNING_DAYS,
            "soon_until": today + datetime.timedelta(REVIEW_WARNING_DAYS),
        }
        return TemplateResponse(request, "admin/tumours/tumour/review_due.html", context)

    def link_problems_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        uses = (
            LinkUse.objects.filter(link__state__in=LinkCheck.PROBLEMS)
            .select_related("link", "tumour")
            .order_by("link__problem_since", "tumour__name", "place")
        )
        last_check = LinkCheck.objects.order_by("-checked_at").values_list("checked_at", flat=True).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Link problems",
            "uses": uses,
            "last_check": last_check,
        }
        return TemplateResponse(request, "admin/tumours/tumour/link_problems.html", context)


@admin.register(TestKit)
class TestKitAdmin(EditorialPageAdmin):
    """A kit's page and its description, which also fills the kit box on every tumour page that offers it: edited
    as a draft and approved like a tumour page."""

    page_kind, page_keyword, page_form = KIT, "kit", KitPageForm
    row_help = {
        "sections": "Shown in this order below the description, e.g. How it works, The sample we need. "
        "Move a section with its buttons; tick “Remove” to drop it."
    }
    list_filter = [EditorialStateFilter, ReviewFilter]
    search_fields = ["name"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    """How a reviewer is named on the pages they approve: superusers only, as it is public sign-off."""

    list_display = ["user", "display_name", "role"]
    search_fields = ["user__username", "display_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(OldSlug)
class OldSlugAdmin(admin.ModelAdmin):
    list_display = ["slug", "tumour", "created_at"]
    search_fields = ["slug", "tumour__name"]
    list_select_related = ["tumour"]
    fields = ["slug", "tumour"]
