from django.contrib import admin

from orders.admin import SuperuserRecordAdmin

from .models import FrontCachePurge


@admin.register(FrontCachePurge)
class FrontCachePurgeAdmin(SuperuserRecordAdmin):
    """Every purge sent to a front cache, and those still waiting for a retry (filter "Queued"):
    `manage.py purge_front_cache --pending` retries them now."""

    list_display = ["created_at", "target", "keys", "state", "attempts", "last_error", "next_attempt_at"]
    list_filter = ["state"]
    fields = readonly_fields = [
        "target", "keys", "state", "attempts", "last_error", "next_attempt_at", "done_at", "created_at",
    ]  # fmt: skip
