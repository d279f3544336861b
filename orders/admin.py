from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import overview
from .admin_filters import DuplicateFilter, OwnerFilter, ReachedFilter, ViewFilter
from .admin_forms import ContactAttemptForm, MessageForm, SalesActionForm, TestRequestAdminForm
from .export import filter_names, stream_csv
from .messages import render_template, reply_to_for
from .models import AccessLog, EmailTemplate, Notification, TestRequest, WebhookAttempt, WebhookDelivery
from .pagination import EstimatedCountPaginator
from .permissions import can_see_personal_data
from .personal_data import export_for
from .phones import search_filter
from .services import (
    StaleEdit,
    add_note,
    apply_edit,
    assign,
    change_status,
    log_contact_attempt,
    record_subject_access,
    send_message,
)
from .team import display_name, is_sales_member
from .timeline import timeline_for
from .webhooks import retry
from .working_hours import humanise, waited


class ExportChangeList(ChangeList):
    def get_results(self, request):
        self.result_count = self.full_result_count = 0
        self.result_list = []
        self.can_show_all = self.multi_page = False


@admin.register(TestRequest)
class TestRequestAdmin(admin.ModelAdmin):
    form = TestRequestAdminForm
    action_form = SalesActionForm
    list_display = [
        "reference", "requester", "tumour", "country_name", "status", "owner_name", "waiting", "next_action_on",
        "duplicate_flag",
    ]  # fmt: skip
    list_filter = [
        ViewFilter, "status", OwnerFilter, ReachedFilter, "close_reason", DuplicateFilter, "tumour", "created_at",
    ]  # fmt: skip
    search_fields = ["reference", "email", "full_name"]
    list_select_related = ["tumour", "owner", "duplicate_of"]
    # Oldest first among those still waiting for a first contact (the overdue ones lead), then by next action.
    ordering = [
        F("first_contacted_at").asc(nulls_first=True),
        F("next_action_on").asc(nulls_last=True),
        "created_at",
    ]
    # No date_hierarchy: its year links cost a DISTINCT over the whole table on every view (32-54 ms at
    # 100,000 rows, BENCHMARKS.md); the "created at" filter offers the same periods.
    actions = ["assign_to_me", "assign_to", "change_status_of", "mark_as_spam"]
    paginator = EstimatedCountPaginator
    # A full COUNT(*) of the whole table on every page view is what makes big changelists slow.
    show_full_result_count = False
    fieldsets = [
        ("Requester", {"fields": ["full_name", "email_link", "phone_link", "country", "requester_type", "message"]}),
        ("Pipeline", {"fields": ["status", "reason", "status_note", "owner", "waiting_text", "seen"]}),
        ("Follow-up and notes", {"fields": ["next_action_on", "next_action_note", "new_note"]}),
        ("Request", {"fields": ["reference", "created_at", "tumour", "test_kit", "duplicate_of"]}),
        ("Consent", {"fields": ["consent_version", "consented_at"]}),
    ]
    # What the requester submitted is a record, not something to edit; sales work the pipeline.
    readonly_fields = [
        "reference", "created_at", "tumour", "test_kit", "duplicate_of", "requester_type", "full_name",
        "email_link", "phone_link", "country", "message", "consent_version", "consented_at", "waiting_text",
    ]  # fmt: skip

    class Media:
        css = {"all": ["css/sales-admin.css"]}

    @admin.display(description="Requester", ordering="full_name")
    def requester(self, obj):
        return obj.full_name

    @admin.display(description="Country", ordering="country")
    def country_name(self, obj):
        # The default display of a CountryField flattens all 250 country choices for every row: slow at 100 rows.
        return obj.country.name

    @admin.display(description="Owner", ordering="owner__first_name")
    def owner_name(self, obj):
        return display_name(obj.owner) if obj.owner_id else "—"

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj):
        waited = obj.waiting()
        if waited is None:
            return ""
        if obj.is_overdue:
            return format_html('<strong class="overdue">Overdue</strong> {}', humanise(waited))
        return humanise(waited)

    @admin.display(description="Waiting for a first contact")
    def waiting_text(self, obj):
        if obj.first_contacted_at:
            took = humanise(waited(obj.created_at, obj.first_contacted_at))
            return f"First contacted {took} (working time) after it arrived."
        if obj.is_closed:
            return "Closed without a contact."
        due = timezone.localtime(obj.first_contact_due_at).strftime("%-d %b %Y %H:%M")
        return self.waiting(obj) + format_html(" – first contact due by {}", due)

    @admin.display(description="Email address")
    def email_link(self, obj):
        return format_html('<a href="mailto:{}">{}</a>', obj.email, obj.email) if obj.email else "—"

    @admin.display(description="Phone number")
    def phone_link(self, obj):
        if not obj.phone:
            return "—"
        return format_html('<a href="tel:{}">{}</a>', obj.phone_e164 or obj.phone, obj.phone)

    @admin.display(description="Possible duplicate", ordering="duplicate_of")
    def duplicate_flag(self, obj):
        if obj.duplicate_of_id is None:
            return ""
        url = reverse("admin:orders_testrequest_change", args=[obj.duplicate_of_id])
        return format_html('⚠ <a href="{}">of {}</a>', url, obj.duplicate_of.reference)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = search_filter(search_term)
        if phone is not None:
            results = results | queryset.filter(phone)
        return results, may_have_duplicates

    def has_module_permission(self, request):
        return can_see_personal_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_see_personal_data(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_see_personal_data(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # Requests come from visitors through the site, never typed in by staff.
        return False

    def save_model(self, request, obj, form, change):
        # Never obj.save(): that would write back every field as this form saw it. Only what changed goes in.
        apply_edit(
            test_request=obj,
            by=request.user,
            seen=form.seen,
            changes=form.changes,
            status_note=form.cleaned_data.get("status_note", ""),
            reason=form.cleaned_data.get("reason", ""),
        )
        note = form.cleaned_data.get("status_note", "").strip()
        if note and "status" not in form.changes:  # a note without a status change is still kept
            add_note(test_request=obj, author=request.user, text=note)
        if form.cleaned_data.get("new_note", "").strip():
            add_note(test_request=obj, author=request.user, text=form.cleaned_data["new_note"].strip())

    def construct_change_message(self, request, form, formsets, add=False):
        # The admin's history names what this save changed (form.changes), not every field that differs from
        # the stored row, which after a colleague's save would include theirs.
        return (
            [{"changed": {"fields": [str(form.fields[name].label) for name in form.changes]}}] if form.changes else []
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit as stale:
            # Only when two saves pass the form's check at the same instant; the form normally refuses first.
            self.message_user(request, " ".join(stale.conflicts) + " Nothing was saved.", messages.ERROR)
            return redirect(request.path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_view_permission(request, obj):
            if request.method == "GET":
                AccessLog.objects.create(
                    user=request.user, username=request.user.get_username(), action="view", test_request=obj
                )
            extra_context = {**(extra_context or {}), **self._work_context(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _work_context(self, request, obj, attempt_form=None):
        return {
            "timeline": timeline_for(obj),
            "attempts": obj.contact_attempts.count(),
            "duplicates": TestRequest.objects.possible_duplicates_of(obj).order_by("-created_at")[:20],
            "notifications": obj.notifications.all(),
            "attempt_form": attempt_form or ContactAttemptForm(prefix="attempt"),
            "templates": EmailTemplate.objects.filter(active=True),
            "can_write": self.has_change_permission(request, obj) and bool(obj.email) and not obj.erased_at,
            "deliveries": obj.webhook_deliveries.prefetch_related("attempt_records"),
            "can_export_person": request.user.is_superuser and bool(obj.email),
        }

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and not request.GET and is_sales_member(request.user):
            # A salesperson's morning starts with their own open requests.
            return HttpResponseRedirect(f"?{ViewFilter.parameter_name}={ViewFilter.MINE}")
        query = request.GET.urlencode()
        export_url = reverse("admin:orders_testrequest_export") + (f"?{query}" if query else "")
        extra_context = {**(extra_context or {}), "export_url": export_url}
        return super().changelist_view(request, extra_context)

    # Actions: each goes through the services, so each change is checked and lands in the timeline.

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        if not is_sales_member(request.user):
            self.message_user(request, "Only members of the Sales team can own requests.", messages.ERROR)
            return
        self._assign(request, queryset, request.user)

    @admin.action(description="Assign to the owner chosen", permissions=["change"])
    def assign_to(self, request, queryset):
        form = self._action_form(request)
        owner = form.cleaned_data.get("assign_to") if form.is_valid() else None
        if owner is None:
            self.message_user(request, "Choose the owner in the “Owner” list next to the action.", messages.ERROR)
            return
        self._assign(request, queryset, owner)

    def _action_form(self, request):
        # The actions bar as the admin reads it (response_action), for the owner or status chosen beside it.
        form = self.action_form(request.POST, auto_id=None)
        form.fields["action"].choices = self.get_action_choices(request)
        return form

    def _assign(self, request, queryset, owner):
        for test_request in queryset:
            assign(test_request=test_request, owner=owner, by=request.user)
        self.message_user(
            request, f"{queryset.count()} request(s) assigned to {display_name(owner)}.", messages.SUCCESS
        )

    @admin.action(description="Change the status to the one chosen", permissions=["change"])
    def change_status_of(self, request, queryset):
        form = self._action_form(request)
        to_status = form.cleaned_data.get("to_status") if form.is_valid() else ""
        if not to_status:
            self.message_user(request, "Choose the status in the “Status” list next to the action.", messages.ERROR)
            return
        self._move(request, queryset, to_status, reason=form.cleaned_data.get("reason", ""))

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_as_spam(self, request, queryset):
        self._move(request, queryset, TestRequest.Status.SPAM, reason=TestRequest.CloseReason.JUNK)

    def _move(self, request, queryset, to_status, *, reason):
        moved, refused = 0, []
        for test_request in queryset:
            try:
                moved += (
                    change_status(test_request=test_request, to_status=to_status, by=request.user, reason=reason)
                    is not None
                )
            except ValidationError as error:
                refused.append(f"{test_request.reference}: {' '.join(error.messages)}")
        label = dict(TestRequest.Status.choices)[to_status]
        self.message_user(request, f"{moved} request(s) moved to {label}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not moved – " + "; ".join(refused), messages.WARNING)

    def get_urls(self):
        view = self.admin_site.admin_view
        extra = [
            path("export.csv", view(self.export_csv), name="orders_testrequest_export"),
            path("overview/", view(self.overview_view), name="orders_testrequest_overview"),
            path("<int:pk>/attempt/", view(self.attempt_view), name="orders_testrequest_attempt"),
            path("<int:pk>/email/", view(self.email_view), name="orders_testrequest_email"),
            path(
                "<int:pk>/subject-access.json", view(self.subject_access_view), name="orders_testrequest_subject_access"
            ),
        ]
        return extra + super().get_urls()

    def _changeable(self, request, pk) -> TestRequest:
        test_request = get_object_or_404(TestRequest.objects.select_related("tumour", "test_kit", "owner"), pk=pk)
        if not self.has_change_permission(request, test_request):
            raise PermissionDenied
        return test_request

    def attempt_view(self, request, pk):
        test_request = self._changeable(request, pk)
        if request.method != "POST":
            return redirect("admin:orders_testrequest_change", pk)
        form = ContactAttemptForm(request.POST, prefix="attempt")
        if form.is_valid():
            log_contact_attempt(test_request=test_request, by=request.user, **form.cleaned_data)
            self.message_user(request, "Contact attempt logged.", messages.SUCCESS)
        else:
            self.message_user(request, "Choose how you tried and what happened; nothing was logged.", messages.ERROR)
        return redirect("admin:orders_testrequest_change", pk)

    def email_view(self, request, pk):
        """Preview a template filled in for this request, edit it if need be, then send it."""
        test_request = self._changeable(request, pk)
        if request.method == "POST" and "send" in request.POST:
            form = MessageForm(request.POST)
            valid = form.is_valid()
            template = form.cleaned_data.get("template")
            if valid:
                try:
                    send_message(test_request=test_request, by=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(request, "E-mail queued; the timeline shows when it is sent.", messages.SUCCESS)
                    return redirect("admin:orders_testrequest_change", pk)
        else:
            template = get_object_or_404(EmailTemplate, pk=request.GET.get("template") or 0, active=True)
            subject, body = render_template(template, test_request)
            form = MessageForm(initial={"template": template, "subject": subject, "body": body})
        context = {
            **self.admin_site.each_context(request),
            "title": f"E-mail to the requester of {test_request.reference}",
            "opts": self.model._meta,
            "original": test_request,
            "form": form,
            "template": template,
            "reply_to": ", ".join(reply_to_for(test_request)),
        }
        return TemplateResponse(request, "admin/orders/testrequest/email.html", context)

    def subject_access_view(self, request, pk):
        """Superusers: everything held about this request's requester, as export_requester_data writes it."""
        if not request.user.is_superuser:
            raise PermissionDenied
        test_request = get_object_or_404(TestRequest, pk=pk)
        if not test_request.email:
            raise Http404("This request's personal data has been erased.")
        data = export_for(test_request.email)
        record_subject_access(data=data, user=request.user, username=request.user.get_username())
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="subject-access-{test_request.reference}.json"'
        response["Cache-Control"] = "no-store"
        return response

    def export_csv(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            queryset = self._export_changelist(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("These filters are not valid.")
        queryset = queryset.select_related("tumour", "test_kit", "owner", "duplicate_of").annotate(
            notes_count=_count("notes"), attempts_count=_count("contact_attempts")
        )
        rows = queryset.count()
        AccessLog.objects.create(
            user=request.user,
            username=request.user.get_username(),
            action="export",
            detail=filter_names(request.GET),
            rows=rows,
        )
        return stream_csv(queryset, f"test-requests-{timezone.localdate():%Y-%m-%d}.csv")

    def _export_changelist(self, request):
        # As get_changelist_instance() builds it, but of a class that fetches no page: the export streams the
        # whole filtered queryset, so counting and fetching a page of it would be waste.
        list_display = self.get_list_display(request)
        return ExportChangeList(
            request, self.model, list_display, self.get_list_display_links(request, list_display),
            self.get_list_filter(request), self.date_hierarchy, self.get_search_fields(request),
            self.get_list_select_related(request), self.list_per_page, self.list_max_show_all, self.list_editable,
            self, self.get_sortable_by(request), self.search_help_text,
        )  # fmt: skip

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = overview.Period.from_query(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "title": "Sales overview",
            "opts": self.model._meta,
            **overview.figures(period),
        }
        return TemplateResponse(request, "admin/orders/testrequest/overview.html", context)


def _count(relation: str):
    # A correlated subquery per row rather than JOIN + GROUP BY over the whole export.
    model = TestRequest._meta.get_field(relation).related_model
    counts = model.objects.filter(test_request=OuterRef("pk")).values("test_request").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n")), 0)


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
    list_display = ["at", "username", "action", "test_request", "rows", "detail"]
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


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = readonly_fields = ["at", "status_code", "error", "duration_ms"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserRecordAdmin):
    """Every event sent to the CRM, its attempts, and those whose retries stopped (filter "Failed")."""

    list_display = ["created_at", "test_request", "event", "url", "state", "attempts", "last_status_code", "last_error"]
    list_filter = ["state", "event"]
    search_fields = ["test_request__reference", "event_id"]
    list_select_related = ["test_request"]
    fields = readonly_fields = [
        "test_request", "event", "event_id", "url", "state", "attempts", "last_status_code", "last_error",
        "next_attempt_at", "delivered_at", "created_at",
    ]  # fmt: skip
    inlines = [WebhookAttemptInline]
    actions = ["retry_now"]

    @admin.action(description="Retry now (failed deliveries)")
    def retry_now(self, request, queryset):
        self.message_user(request, f"{retry(queryset)} delivery(ies) queued again.", messages.SUCCESS)


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """Superusers keep the wording; the sales team picks a template on a request's page."""

    list_display = ["name", "subject", "position", "active"]
    list_editable = ["position", "active"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
