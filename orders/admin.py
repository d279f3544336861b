from django.contrib import admin

from .models import TestRequest


@admin.register(TestRequest)
class TestRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "created_at", "tumour", "requester_type", "country", "status"]
    list_filter = ["status", "tumour", "created_at"]
    search_fields = ["reference", "email", "full_name"]
    list_select_related = ["tumour"]
    date_hierarchy = "created_at"
    fieldsets = [
        ("Request", {"fields": ["reference", "created_at", "tumour", "test_kit", "status"]}),
        ("Requester", {"fields": ["requester_type", "full_name", "email", "phone", "country", "message"]}),
        ("Consent", {"fields": ["consent_version", "consented_at"]}),
    ]
    # What the requester submitted is a record, not something to edit; sales move the status.
    readonly_fields = [
        "reference", "created_at", "tumour", "test_kit", "requester_type", "full_name",
        "email", "phone", "country", "message", "consent_version", "consented_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        # Requests come from visitors through the site, never typed in by staff.
        return False
