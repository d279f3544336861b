"""The admin's side of issue 12's checks: filters and columns of the page list, the link problems list, and the
visitors' feedback that editors read and close."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from .feedback import PageFeedback, reopen_feedback, resolution_problems, resolve_feedback
from .link_health import LinkCheck, LinkUse


class ReadingGradeFilter(admin.SimpleListFilter):
    title = "reading grade"
    parameter_name = "reading"

    def lookups(self, request, model_admin):
        target = f"{settings.READABILITY_TARGET_GRADE:g}"
        return [("above", f"Above target (grade over {target})"), ("within", "Within target"), ("none", "Not measured")]

    def queryset(self, request, queryset):
        target = settings.READABILITY_TARGET_GRADE
        return {
            "above": lambda: queryset.filter(reading_grade__gt=target),
            "within": lambda: queryset.filter(reading_grade__lte=target),
            "none": lambda: queryset.filter(reading_grade__isnull=True),
        }.get(self.value(), lambda: queryset)()


class LinkProblemFilter(admin.SimpleListFilter):
    title = "links"
    parameter_name = "links"

    def lookups(self, request, model_admin):
        return [("problems", "With a broken or moved link")]

    def queryset(self, request, queryset):
        if self.value() == "problems":
            return queryset.filter(pk__in=Subquery(pages_with_link_problems()))
        return queryset


class FeedbackFilter(admin.SimpleListFilter):
    title = "visitors' feedback"
    parameter_name = "feedback"

    def lookups(self, request, model_admin):
        return [("open", "With open feedback")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_feedback__gt=0)
        return queryset


def pages_with_link_problems():
    return LinkUse.objects.filter(link__state__in=LinkCheck.PROBLEMS).values("tumour_id")


def with_open_feedback(queryset):
    counts = (
        PageFeedback.objects.open()
        .filter(tumour=OuterRef("pk"))
        .order_by()
        .values("tumour")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(open_feedback=Coalesce(Subquery(counts, output_field=IntegerField()), 0))


def reading_grade_column(obj) -> str:
    if obj.reading_grade is None:
        return "—"
    if obj.reading_grade > settings.READABILITY_TARGET_GRADE:
        return format_html('<strong class="over-target">{} · above target</strong>', f"{obj.reading_grade:.1f}")
    return f"{obj.reading_grade:.1f}"


def open_feedback_column(obj) -> str:
    if not obj.open_feedback:
        return "0"
    url = reverse("admin:tumours_pagefeedback_changelist") + f"?state=open&tumour__id__exact={obj.pk}"
    return format_html('<a href="{}">{} open</a>', url, obj.open_feedback)


class FeedbackStateFilter(admin.SimpleListFilter):
    """Opens on "Open": what still needs an editor."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("done", "Done"), ("helpful", "“Yes” answers"), ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        return {
            "open": lambda: queryset.open(),
            "done": lambda: queryset.filter(done_at__isnull=False),
            "helpful": lambda: queryset.filter(helpful=True),
            "all": lambda: queryset,
        }.get(self.value() or "open", queryset.open)()


class FeedbackForm(forms.ModelForm):
    done = forms.BooleanField(
        required=False,
        label="Done",
        help_text="Tick when the page has been corrected (its draft submitted) or nothing needs doing.",
    )

    class Meta:
        model = PageFeedback
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].initial = self.instance.is_done

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done"):
            for field, message in resolution_problems(note=cleaned.get("note", "")).items():
                self.add_error(field, message)
        return cleaned


@admin.register(PageFeedback)
class PageFeedbackAdmin(admin.ModelAdmin):
    """Visitors write feedback; editors and reviewers read it and close it with a note. Nobody adds or edits it."""

    form = FeedbackForm
    list_display = ["created_at", "page", "answer_column", "comment_excerpt", "state_column"]
    list_filter = [FeedbackStateFilter, "helpful"]
    list_select_related = ["tumour", "done_by"]
    search_fields = ["tumour__name", "comment", "note"]
    readonly_fields = ["page", "created_at", "answer_column", "comment", "done_at", "done_by"]
    fields = ["page", "created_at", "answer_column", "comment", "done", "note", "done_at", "done_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.title = "Open feedback" if (request.GET.get("state") or "open") == "open" else "Page feedback"
        return changelist

    @admin.display(description="Page", ordering="tumour__name")
    def page(self, obj):
        url = reverse("admin:tumours_tumour_change", args=[obj.tumour_id])
        return format_html('<a href="{}">{}</a>', url, obj.tumour)

    @admin.display(description="Helpful?", ordering="helpful")
    def answer_column(self, obj):
        return obj.answer

    @admin.display(description="What the visitor wrote")
    def comment_excerpt(self, obj):
        return (obj.comment[:120] + "…") if len(obj.comment) > 120 else obj.comment or "—"

    @admin.display(description="State", ordering="done_at")
    def state_column(self, obj):
        if obj.is_done:
            who = obj.done_by.get_username() if obj.done_by else "someone"
            return f"Done by {who}: {obj.note}"
        return "Open" if obj.helpful is False or obj.comment else "—"

    def save_model(self, request, obj, form, change):
        # The rules (who may, a note to close) are the service's; the form only reads what was typed.
        done = form.cleaned_data["done"]
        if done:
            resolve_feedback(feedback=obj, by=request.user, note=form.cleaned_data["note"])
        elif obj.is_done or "note" in form.changed_data:
            if obj.is_done:
                reopen_feedback(feedback=obj, by=request.user)
            obj.save(update_fields=["note"])


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """Read-only: check_links writes these."""

    list_display = ["url", "state", "outcome_column", "checked_at", "problem_since"]
    list_filter = ["state"]
    search_fields = ["url", "final_url"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser

    @admin.display(description="Last answer")
    def outcome_column(self, obj):
        return obj.outcome
