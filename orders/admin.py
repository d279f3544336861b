from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from oncosite.roles import SALES_TEAM

from . import overview
from .export import stream_csv
from .models import AccessLog, Notification, TestRequest
from .pagination import EstimatedCountPaginator
from .permissions import can_see_personal_data
from .services import add_note, change_status
from .timeline import timeline_for

# Query parameters of the changelist that are not filters.
NON_FILTER_PARAMS = {"o", "p", "e", "_changelist_filters"}


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("me", "Assigned to me"), ("none", "Unassigned")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(owner=request.user)
        if self.value() == "none":
            return queryset.filter(owner__isnull=True)
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    title = "possible duplicate"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Possible duplicates")]

    def queryset(self, request, queryset):
        return queryset.filter(duplicate_of__isnull=False) if self.value() == "yes" else queryset


class TestRequestAdminForm(forms.ModelForm):
    status_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: why the status changes. Kept in the timeline with the change.",
    )
    new_note = forms.CharField(
        label="Add an internal note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by the sales team and superusers, in the timeline below.",
    )

    class Meta:
        model = TestRequest
        fields = ["status", "owner"]


@admin.register(TestRequest)
class TestRequestAdmin(admin.ModelAdmin):
    form = TestRequestAdminForm
    list_display = [
        "reference", "created_at", "tumour", "requester_type", "country_name", "status", "owner", "duplicate_flag",
    ]  # fmt: skip
    list_filter = ["status", OwnerFilter, DuplicateFilter, "tumour", "created_at"]
    search_fields = ["reference", "email", "full_name"]
    list_select_related = ["tumour", "owner", "duplicate_of"]
    # No date_hierarchy: its year links cost a DISTINCT over the whole table on every view (32-54 ms at
    # 100,000 rows, BENCHMARKS.md); the "created at" filter offers the same periods.
    actions = ["assign_to_me"]
    paginator = EstimatedCountPaginator
    # A full COUNT(*) of the whole table on every page view is what makes big changelists slow.
    show_full_result_count = False
    fieldsets = [
        ("Request", {"fields": ["reference", "created_at", "tumour", "test_kit", "duplicate_of"]}),
        ("Pipeline", {"fields": ["status", "status_note", "owner", "new_note"]}),
        ("Requester", {"fields": ["requester_type", "full_name", "email", "phone", "country", "message"]}),
        ("Consent", {"fields": ["consent_version", "consented_at"]}),
    ]
    # What the requester submitted is a record, not something to edit; sales move the status.
    readonly_fields = [
        "reference", "created_at", "tumour", "test_kit", "duplicate_of", "requester_type", "full_name",
        "email", "phone", "country", "message", "consent_version", "consented_at",
    ]  # fmt: skip

    @admin.display(description="Country", ordering="country")
    def country_name(self, obj):
        # The default display of a CountryField flattens all 250 country choices for every row: slow at 100 rows.
        return obj.country.name

    @admin.display(description="Possible duplicate", ordering="duplicate_of")
    def duplicate_flag(self, obj):
        if obj.duplicate_of_id is None:
            return ""
        url = reverse("admin:orders_testrequest_change", args=[obj.duplicate_of_id])
        return format_html('⚠ <a href="{}">of {}</a>', url, obj.duplicate_of.reference)

    def has_module_permission(self, request):
        return can_see_personal_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_see_personal_data(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_see_personal_data(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # Requests come from visitors through the site, never typed in by staff.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = db_field.remote_field.model.objects.filter(
                groups__name=SALES_TEAM, is_active=True
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            target = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            change_status(test_request=obj, to_status=target, by=request.user, note=form.cleaned_data["status_note"])
        else:
            super().save_model(request, obj, form, change)
            if form.cleaned_data.get("status_note", "").strip():  # a note without a change is still kept
                add_note(test_request=obj, author=request.user, text=form.cleaned_data["status_note"].strip())
        if form.cleaned_data.get("new_note", "").strip():
            add_note(test_request=obj, author=request.user, text=form.cleaned_data["new_note"].strip())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_permission(request, obj):
            if request.method == "GET":
                AccessLog.objects.create(
                    user=request.user, username=request.user.get_username(), action="view", test_request=obj
                )
            extra_context = {
                **(extra_context or {}),
                "timeline": timeline_for(obj),
                "duplicates": TestRequest.objects.possible_duplicates_of(obj).order_by("-created_at")[:20],
                "notifications": obj.notifications.all(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        if not request.user.groups.filter(name=SALES_TEAM).exists():
            self.message_user(request, "Only members of the Sales team can own requests.", messages.ERROR)
            return
        count = queryset.update(owner=request.user, updated_at=timezone.now())
        self.message_user(request, f"{count} request(s) assigned to you.", messages.SUCCESS)

    def get_urls(self):
        extra = [
            path("export.csv", self.admin_site.admin_view(self.export_csv), name="orders_testrequest_export"),
            path("overview/", self.admin_site.admin_view(self.overview_view), name="orders_testrequest_overview"),
        ]
        return extra + super().get_urls()

    def export_csv(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.orders_export = True  # see get_changelist: no page of results is fetched
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters are not valid.")
        queryset = changelist.get_queryset(request).select_related("tumour", "test_kit", "owner", "duplicate_of")
        AccessLog.objects.create(
            user=request.user, username=request.user.get_username(), action="export", detail=self._filters(request)
        )
        return stream_csv(queryset, f"test-requests-{timezone.localdate():%Y-%m-%d}.csv")

    @staticmethod
    def _filters(request) -> str:
        # The filters, never the words of a search: those may be a name or an e-mail address.
        params = [(k, v) for k, v in request.GET.items() if k not in NON_FILTER_PARAMS and k != "q"]
        text = urlencode(params)
        if request.GET.get("q"):
            text = (text + " " if text else "") + "(with a search)"
        return (text or "all requests")[:1000]

    def get_changelist(self, request, **kwargs):
        changelist_class = super().get_changelist(request, **kwargs)
        if not getattr(request, "orders_export", False):
            return changelist_class

        class ExportChangeList(changelist_class):
            def get_results(self, request):
                # The export streams the whole filtered queryset; counting and fetching a page would be waste.
                self.result_count = self.full_result_count = 0
                self.result_list = []
                self.can_show_all = self.multi_page = False

        return ExportChangeList

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        export_url = reverse("admin:orders_testrequest_export") + (f"?{query}" if query else "")
        extra_context = {**(extra_context or {}), "export_url": export_url}
        return super().changelist_view(request, extra_context)

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        weekly = overview.by_week()
        context = {
            **self.admin_site.each_context(request),
            "title": "Sales overview",
            "opts": self.model._meta,
            "by_status": overview.by_status(),
            "by_tumour": overview.by_tumour(),
            "by_week": weekly,
            "weekly_columns": overview.columns(weekly),
            "median_wait": overview.humanise(overview.median_new_to_contacted()),
            "total": TestRequest.objects.count(),
        }
        return TemplateResponse(request, "admin/orders/testrequest/overview.html", context)


class SuperuserRecordAdmin(admin.ModelAdmin):
    """Superusers only, and read-only: records of what happened, which nobody may edit."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(SuperuserRecordAdmin):
    list_display = ["at", "username", "action", "test_request", "detail"]
    list_filter = ["action", "at"]
    search_fields = ["username", "test_request__reference"]
    list_select_related = ["test_request"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(SuperuserRecordAdmin):
    list_display = ["test_request", "kind", "state", "attempts", "last_error", "next_attempt_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["test_request__reference"]
    list_select_related = ["test_request"]
    readonly_fields = list_display
