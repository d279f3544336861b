"""The sales list's sidebar: named views first, then the filters the overview's counts link to."""

from django.contrib import admin
from django.utils import timezone

from .models import TestRequest
from .team import display_name, sales_team
from .working_hours import working_week


class ViewFilter(admin.SimpleListFilter):
    """Named views; the bare list opens on "My open" for Sales team members (TestRequestAdmin.changelist_view)."""

    title = "view"
    parameter_name = "view"
    MINE = "mine"

    def lookups(self, request, model_admin):
        return [
            (self.MINE, "My open"),
            ("unassigned", "Unassigned"),
            ("overdue", "Overdue"),
            ("follow_up", "Follow-up due today"),
            ("all", "All"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.MINE:
            return queryset.open().filter(owner=request.user)
        if value == "unassigned":
            return queryset.open().filter(owner__isnull=True)
        if value == "overdue":
            return queryset.overdue()
        if value == "follow_up":
            today = timezone.localtime(timezone=working_week().zone).date()
            return queryset.follow_up_due(today).filter(owner=request.user)
        return queryset

    def choices(self, changelist):
        # No separate "All" entry for a missing value: "All" is a view of its own, so that the bare address can
        # stand for "My open".
        for lookup, title in self.lookup_choices:
            selected = self.value() == lookup or (self.value() is None and lookup == "all")
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        members = [(str(user.pk), display_name(user)) for user in sales_team()]
        return [("me", "Assigned to me"), ("none", "Nobody"), *members]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset


class ReachedFilter(admin.SimpleListFilter):
    title = "stage reached"
    parameter_name = "reached"

    def lookups(self, request, model_admin):
        labels = dict(TestRequest.Status.choices)
        return [(stage, labels[stage]) for stage in TestRequest.PIPELINE[1:]]

    def queryset(self, request, queryset):
        if self.value() in TestRequest.PIPELINE:
            return queryset.reached(self.value())
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    title = "possible duplicate"
    parameter_name = "duplicate"

    def lookups(self, request, model_admin):
        return [("yes", "Possible duplicates")]

    def queryset(self, request, queryset):
        return queryset.filter(duplicate_of__isnull=False) if self.value() == "yes" else queryset
