"""What the link checker found: one record per address linked from a live page, and where each is used.

A link is *broken* after failing on two different days in a row (a site down for an hour is not a dead source),
and *moved* when it answers with a permanent redirect (the editor should cite the new address). tumours/
link_checker.py fills these in; the admin lists the problems and the reviewers' reminder e-mail names new ones.
"""

import datetime

from django.db import models
from django.utils import timezone


class LinkQuerySet(models.QuerySet):
    def problems(self):
        return self.filter(state__in=LinkCheck.PROBLEMS)

    def not_yet_reported(self):
        return self.problems().filter(reported_at__isnull=True)


class LinkCheck(models.Model):
    class State(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        OK = "ok", "Working"
        FAILING = "failing", "Failed once (checked again tomorrow)"
        BROKEN = "broken", "Broken"
        MOVED = "moved", "Moved permanently"
        SKIPPED = "skipped", "Not checked (a private or local address)"

    PROBLEMS = (State.BROKEN, State.MOVED)

    url = models.URLField(max_length=2000, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.UNCHECKED, db_index=True)
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text="The last HTTP status, if any.")
    error = models.CharField(max_length=200, blank=True, help_text="Why the last check failed without a status.")
    final_url = models.URLField(max_length=2000, blank=True, help_text="Where the link's redirects ended.")
    checked_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failure_days = models.PositiveIntegerField(default=0, help_text="Different days on which it failed, in a row.")
    last_failure_on = models.DateField(null=True, blank=True)
    problem_since = models.DateTimeField(null=True, blank=True, help_text="When it became broken or moved.")
    reported_at = models.DateTimeField(null=True, blank=True, help_text="When the reviewers were told of it.")

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        verbose_name = "link check"

    def __str__(self):
        return self.url

    @property
    def is_problem(self) -> bool:
        return self.state in self.PROBLEMS

    @property
    def outcome(self) -> str:
        """The last answer in words: "HTTP 404", "HTTP 301, moved permanently to https://…", "connection refused"."""
        if self.state == self.State.MOVED:
            return f"HTTP {self.status_code}, moved permanently to {self.final_url}"
        if self.status_code:
            return f"HTTP {self.status_code}"
        return self.error or "—"

    def record_success(self, *, status: int, final_url: str, permanent_redirect: bool, at: datetime.datetime):
        self.status_code, self.error, self.final_url, self.checked_at = status, "", final_url, at
        self.consecutive_failures = self.failure_days = 0
        self.last_failure_on = None
        self._become(self.State.MOVED if permanent_redirect else self.State.OK, at)

    def record_failure(self, *, status: int | None, error: str, at: datetime.datetime) -> None:
        self.status_code, self.error, self.checked_at = status, error[:200], at
        day = timezone.localdate(at)
        self.consecutive_failures += 1
        if self.last_failure_on != day:
            self.failure_days += 1
            self.last_failure_on = day
        self._become(self.State.BROKEN if self.failure_days >= 2 else self.State.FAILING, at)

    def record_skipped(self, *, reason: str, at: datetime.datetime) -> None:
        self.status_code, self.error, self.checked_at = None, reason, at
        self._become(self.State.SKIPPED, at)

    def _become(self, state: str, at: datetime.datetime) -> None:
        if state in self.PROBLEMS and self.state != state:
            # A new problem (or a broken link that now redirects): the reviewers hear of it once.
            self.problem_since, self.reported_at = at, None
        elif state not in self.PROBLEMS:
            self.problem_since = self.reported_at = None
        self.state = state


class LinkUse(models.Model):
    """One place a live page links to an address: a source, or a link in its summary or a section."""

    link = models.ForeignKey(LinkCheck, on_delete=models.CASCADE, related_name="uses")
    tumour = models.ForeignKey("tumours.Tumour", on_delete=models.CASCADE, related_name="link_uses")
    place = models.CharField(max_length=250, help_text="Where on the page, e.g. “Source 1” or “Section: Treatment”.")

    class Meta:
        ordering = ["tumour__name", "place"]
        constraints = [models.UniqueConstraint(fields=["link", "tumour", "place"], name="one_use_per_place")]

    def __str__(self):
        return f"{self.tumour} · {self.place} · {self.link}"
