"""Visitors' answers to "Is this page helpful?" and their reports of a problem, and editors' work on them.

Nothing identifies the visitor: no name, e-mail, address or session is asked for or stored, and the client address
is used only to count posts for the rate limit, in the cache (django-ratelimit keeps a hash of it there for the
period of the limit). E-mail addresses and phone numbers typed into the text are removed before it is stored,
since the form asks for none and nobody will reply.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

COMMENT_MAX_CHARS = 1200
RESOLVE_PERMISSION = "tumours.change_pagefeedback"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with the spaces, dots, dashes and brackets people type between them; a phone number if it holds
# at least PHONE_DIGITS digits (a year range such as 2019-2024 holds 8).
PHONE = re.compile(r"\+?\(?\d[\d\s().-]*\d")
PHONE_DIGITS = 9
REMOVED = "[removed]"


class FeedbackQuerySet(models.QuerySet):
    def needing_action(self):
        """A "No", or any answer with text: what an editor should read."""
        return self.filter(Q(helpful=False) | ~Q(comment=""))

    def open(self):
        return self.needing_action().filter(done_at__isnull=True)


class PageFeedback(models.Model):
    tumour = models.ForeignKey("tumours.Tumour", on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(null=True, help_text="The visitor's answer to “Is this page helpful?”, if given.")
    comment = models.TextField(blank=True, help_text="What the visitor said was wrong or missing.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What the editor did about it, e.g. “Corrected the figure”.")

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "page feedback"
        verbose_name_plural = "page feedback"

    def __str__(self):
        return f"Feedback on {self.tumour} ({timezone.localtime(self.created_at):%d %b %Y %H:%M})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def answer(self) -> str:
        return {True: "Yes", False: "No", None: "—"}[self.helpful]


def without_contact_details(text: str) -> str:
    def phone(match: re.Match) -> str:
        return REMOVED if sum(c.isdigit() for c in match.group()) >= PHONE_DIGITS else match.group()

    return PHONE.sub(phone, EMAIL.sub(REMOVED, text))


def record_feedback(*, tumour, helpful: bool | None, comment: str = "") -> PageFeedback:
    """Store one visitor's answer (checks of the form, its timing and the rate limit are the view's)."""
    comment = without_contact_details((comment or "").strip())[:COMMENT_MAX_CHARS]
    if helpful is None and not comment:
        raise ValidationError({"comment": "Tell us what is wrong with the page."})
    return PageFeedback.objects.create(tumour=tumour, helpful=helpful, comment=comment)


def add_comment(*, feedback: PageFeedback, comment: str) -> PageFeedback:
    """The text a visitor adds after answering "No"; an answer keeps the first text it was given."""
    comment = without_contact_details((comment or "").strip())[:COMMENT_MAX_CHARS]
    if comment and not feedback.comment:
        feedback.comment = comment
        feedback.save(update_fields=["comment"])
    return feedback


def resolution_problems(*, note: str) -> dict[str, str]:
    """What stops feedback being closed with this note (the admin's form shows the same)."""
    if not (note or "").strip():
        return {"note": "Say what was done about it (or why nothing needs doing)."}
    return {}


def resolve_feedback(*, feedback: PageFeedback, by: AbstractBaseUser, note: str) -> PageFeedback:
    if by is None or not by.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied("Only clinical editors and reviewers may close feedback.")
    if problems := resolution_problems(note=note):
        raise ValidationError(problems)
    note = note.strip()
    feedback.done_at, feedback.done_by, feedback.note = timezone.now(), by, note
    feedback.save(update_fields=["done_at", "done_by", "note"])
    return feedback


def reopen_feedback(*, feedback: PageFeedback, by: AbstractBaseUser) -> PageFeedback:
    if by is None or not by.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied("Only clinical editors and reviewers may reopen feedback.")
    feedback.done_at, feedback.done_by = None, None
    feedback.save(update_fields=["done_at", "done_by"])
    return feedback


def counts_for(tumour) -> dict[str, int]:
    return tumour.feedback.aggregate(
        yes=Count("pk", filter=Q(helpful=True)),
        no=Count("pk", filter=Q(helpful=False)),
        open=Count("pk", filter=(Q(helpful=False) | ~Q(comment="")) & Q(done_at__isnull=True)),
    )
