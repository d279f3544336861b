"""The editorial record of a page: its working draft, its revisions, what happened to it, and who may sign off.

A page's own rows (e.g. a Tumour with its sections and sources) are always what the public sees, or would see
were the page live. Every change is made to the page's one working Draft, whose content is a Revision: a JSON
snapshot of the page's fields and child rows. Approval copies a revision onto the rows (tumours/services.py);
nothing else writes them. Drafts, revisions and events point at their page generically, so that other kinds of
page can share this model.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class PageQuerySet(models.QuerySet):
    def of(self, page: models.Model):
        return self.filter(content_type=ContentType.objects.get_for_model(page), object_id=page.pk)


class PageRecord(models.Model):
    """Points at one page of any kind."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    page = GenericForeignKey("content_type", "object_id")

    objects = PageQuerySet.as_manager()

    class Meta:
        abstract = True


class Revision(PageRecord):
    """One saved state of a page's content; immutable once written, except for the record of its approval."""

    content = models.JSONField(help_text="The page's fields and child rows, as tumours/content.py writes them.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clinical_review = models.BooleanField(
        null=True, help_text="Whether the approval was a clinical review of the whole page (None: not approved)."
    )
    self_approved = models.BooleanField(
        default=False, help_text="Approved by the person who made the last change (only when four eyes is off)."
    )
    went_live_at = models.DateTimeField(null=True, blank=True, help_text="When this revision became the live page.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self):
        return f"Revision {self.pk} of {self.content_type.model} {self.object_id}"


class Draft(PageRecord):
    """The one working copy of a page and where it stands in review."""

    class State(models.TextChoices):
        EDITING = "editing", "Draft changes not yet live"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        IN_REVIEW = "in_review", "Awaiting review"
        SCHEDULED = "scheduled", "Scheduled"

    EDITABLE_STATES = (State.EDITING, State.CHANGES_REQUESTED)

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.EDITING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The last person who changed the content: four eyes means they may not approve it.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(blank=True, help_text="The reviewer's last request for changes.")
    review_comment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by an approval that goes live later.
    go_live_at = models.DateTimeField(null=True, blank=True, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clinical_review = models.BooleanField(default=True)
    next_review_due = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="one_draft_per_page")]

    def __str__(self):
        return f"Draft of {self.content_type.model} {self.object_id} ({self.get_state_display()})"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


class EditorialEvent(PageRecord):
    """What happened to a page and who did it: the page's status history."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted for review"
        WITHDRAWN = "withdrawn", "Withdrawn from review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        WENT_LIVE = "went_live", "Went live"
        UNPUBLISHED = "unpublished", "Unpublished"
        RESTORED = "restored", "Restored an earlier version as the draft"
        PREVIEW_LINK = "preview_link", "Preview link created"
        PREVIEW_LINKS_REVOKED = "preview_links_revoked", "Preview links revoked"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.content_type.model} {self.object_id})"


class PreviewLink(PageRecord):
    """A reviewer's link to a page's current draft for someone without an account. Only a hash of its token
    is stored; the token itself is also signed, so a guessed or altered one is refused before any query."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview link for {self.content_type.model} {self.object_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ReviewerProfile(models.Model):
    """How a clinical reviewer is named on the pages they approve. Edited by superusers only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile")
    display_name = models.CharField(max_length=120, help_text="As shown to the public, e.g. Dr Helen Marsh.")
    role = models.CharField(max_length=120, help_text="As shown to the public, e.g. Consultant Medical Oncologist.")

    class Meta:
        verbose_name = "reviewer profile"

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        return f"{self.display_name}, {self.role}"


class EditorialEmail(models.Model):
    """An e-mail to staff about a page (submitted, approved, sent back). Stored first and sent after the commit,
    so a mail outage never blocks or undoes the action; a failed send is retried with the request notifications'
    back-off (orders/notifications.py) by the same worker and cron job."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"

    to = models.JSONField(help_text="The staff addresses it goes to.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.subject
