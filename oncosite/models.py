from django.db import models
from django.utils import timezone


class FrontCachePurge(models.Model):
    """A purge of surrogate keys at one front cache (oncosite/front_cache.py), stored in the commit that made it
    necessary and tried at once after it; one that fails is retried with the outbox's back-off (by the task worker
    and `purge_front_cache --pending`), so a front cache that was briefly down is purged when it returns."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        DONE = "done", "Done"

    target = models.CharField(max_length=500, help_text="The front cache's purge address (FRONT_CACHE_PURGE_URLS).")
    keys = models.JSONField(help_text="The surrogate keys to purge.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Purge {' '.join(self.keys)} at {self.target}"
