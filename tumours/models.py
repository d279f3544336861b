import calendar
import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

from .citations import KEY_HELP, MAX_KEY_CHARS, validate_source_key
from .editorial import Draft, EditorialEvent, PreviewLink, Revision
from .feedback import PageFeedback  # noqa: F401 - models of this app
from .link_health import LinkCheck, LinkUse  # noqa: F401 - models of this app
from .validators import (
    validate_kit_description,
    validate_section_body,
    validate_single_line,
    validate_summary,
)

REVIEW_INTERVAL_MONTHS = 12
REVIEW_WARNING_DAYS = 30
PUBLISH_PERMISSION = "tumours.publish_tumour"


def add_months(day: datetime.date, months: int) -> datetime.date:
    # 29 February plus a year is 28 February, not an error.
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_review_after(reviewed_on: datetime.date) -> datetime.date:
    """When a page reviewed on that day is due again, unless a reviewer chose otherwise."""
    return add_months(reviewed_on, REVIEW_INTERVAL_MONTHS)


def normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


class TestKit(models.Model):
    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[validate_single_line],
        help_text="The kit's name as sold, e.g. Oncofocus.",
    )
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in links; letters, numbers and hyphens.")
    description = MarkdownxField(
        validators=[validate_kit_description],
        help_text="Shown in the kit box on every tumour page that offers this kit. Markdown.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "test kit"

    def __str__(self):
        return self.name


class TumourQuerySet(models.QuerySet):
    def published(self):
        """The only way public views fetch pages. A page is published only by an approval (tumours/services.py)."""
        return self.filter(status=Tumour.Status.PUBLISHED)

    def with_page_content(self):
        return self.prefetch_related("sections", "sources", "test_kits")

    def review_overdue(self, today: datetime.date | None = None):
        # A published page with no review date is as much out of review as one past its date.
        today = today or timezone.localdate()
        return self.filter(
            Q(next_review_due__lt=today) | Q(status=Tumour.Status.PUBLISHED, next_review_due__isnull=True)
        )

    def review_due_soon(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        until = today + datetime.timedelta(REVIEW_WARNING_DAYS)
        return self.filter(next_review_due__gte=today, next_review_due__lte=until)

    def by_review_date(self):
        # Never reviewed first (on every database), then the longest overdue.
        return self.order_by(models.F("next_review_due").asc(nulls_first=True), "name")

    def review_needed(self, today: datetime.date | None = None):
        return self.review_overdue(today) | self.review_due_soon(today)


class Tumour(models.Model):
    class Status(models.TextChoices):
        # Whether the page's rows are public. Where its draft stands in review is the Draft's state.
        DRAFT = "draft", "Not published"
        PUBLISHED = "published", "Published"

    # What an editor changes, through the page's draft (tumours/content.py); the rest is set by approval.
    CONTENT_FIELDS = ("name", "slug", "also_known_as", "summary")

    name = models.CharField(
        max_length=200,
        validators=[validate_single_line],
        help_text="The name patients and clinicians know it by, e.g. Leiomyosarcoma.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The page's address, /tumours/&lt;slug&gt;/: lower-case letters, numbers and hyphens. "
        "Once the page has been public, its old addresses keep redirecting here.",
    )
    also_known_as = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text="Other names and abbreviations, separated by commas, e.g. LMS.",
    )
    summary = MarkdownxField(
        validators=[validate_summary], help_text="The lead paragraphs shown above the sections. Markdown."
    )
    test_kits = models.ManyToManyField(
        TestKit,
        blank=True,
        related_name="tumours",
        help_text="Kits a visitor can request for this tumour. Leave empty to show no request button.",
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        editable=False,
        help_text="Whether the public sees the page. Changed only by approving a draft or unpublishing.",
    )
    published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the live version of the page went live."
    )
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set once, when the page is first published."
    )
    last_reviewed_on = models.DateField(
        null=True, blank=True, help_text="When a clinical reviewer last checked the whole page. Shown to the public."
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        help_text=f"When the page must be checked again: {REVIEW_INTERVAL_MONTHS} months after the last clinical "
        "review, unless the approving reviewer chose another date.",
    )
    reviewed_by = models.CharField(
        max_length=250,
        blank=True,
        editable=False,
        validators=[validate_single_line],
        help_text="The approving reviewer's name and role as shown to the public, from their reviewer profile "
        "when they approved a clinical review.",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account that approved the last clinical review.",
    )
    live_revision = models.ForeignKey(
        Revision, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    reading_grade = models.FloatField(
        null=True,
        blank=True,
        editable=False,
        help_text="The Flesch-Kincaid grade of the hardest text of the live page (its summary or a section), "
        "set when a draft goes live (tumours/readability.py).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled by a PostgreSQL trigger from the name, aliases, summary and sections (migration 0002_search);
    # whatever Django writes here is replaced. Always empty on SQLite, which searches another way.
    search_vector = SearchVectorField(null=True, editable=False)

    drafts = GenericRelation(Draft, related_query_name="tumour")
    revisions = GenericRelation(Revision, related_query_name="tumour")
    events = GenericRelation(EditorialEvent, related_query_name="tumour")
    preview_links = GenericRelation(PreviewLink, related_query_name="tumour")

    objects = TumourQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_tumour", "Can approve, schedule and unpublish tumour pages")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Browsers send CRLF; store LF so an untouched text is not recorded as a change in the history.
        self.summary = normalise_newlines(self.summary)
        if self.last_reviewed_on and not self.next_review_due:
            self.next_review_due = next_review_after(self.last_reviewed_on)
        previous_slug = getattr(self, "_stored_slug", None)
        super().save(*args, **kwargs)
        self._remember_old_slug(previous_slug)
        self._stored_slug = self.slug

    def get_absolute_url(self):
        return reverse("tumours:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The stored slug, so a save can tell that the address changed.
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def clean(self):
        super().clean()
        errors = {}
        if self.last_reviewed_on and self.next_review_due and self.next_review_due <= self.last_reviewed_on:
            errors["next_review_due"] = "The next review must be after the last review."
        if self.slug and OldSlug.objects.filter(slug=self.slug).exclude(tumour_id=self.pk).exists():
            owner = OldSlug.objects.select_related("tumour").get(slug=self.slug).tumour
            errors["slug"] = (
                f"“{self.slug}” is an old address of “{owner.name}” and still redirects there. Choose another slug."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def _remember_old_slug(self, previous_slug: str | None) -> None:
        # Once a page has been public its address may be bookmarked or linked: keep it working.
        OldSlug.objects.filter(slug=self.slug, tumour=self).delete()
        if previous_slug and previous_slug != self.slug and self.first_published_at is not None:
            OldSlug.objects.update_or_create(slug=previous_slug, defaults={"tumour": self})

    @property
    def aliases(self) -> list[str]:
        return self.parse_aliases(self.also_known_as)

    @staticmethod
    def parse_aliases(also_known_as: str) -> list[str]:
        return [alias.strip() for alias in also_known_as.split(",") if alias.strip()]


class OldSlug(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=200, unique=True, help_text="A former address that redirects to the page.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"/tumours/{self.slug}/ → {self.tumour.slug}"

    def clean(self):
        if Tumour.objects.filter(slug=self.slug).exclude(pk=self.tumour_id).exists():
            raise ValidationError({"slug": "Another page uses this address."})


class Section(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(
        max_length=200, validators=[validate_single_line], help_text="Shown as the section's heading, e.g. Treatment."
    )
    body = MarkdownxField(
        validators=[validate_section_body],
        help_text="The section's text. Markdown; the preview shows exactly what visitors see.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Sections are shown in ascending order.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.heading

    def save(self, *args, **kwargs):
        self.body = normalise_newlines(self.body)
        super().save(*args, **kwargs)

    @property
    def anchor(self) -> str:
        # A draft's new section has no id yet; its place is unique within the page.
        return f"section-{self.pk}" if self.pk else f"section-new-{self.position}"


class Source(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(
        max_length=300, validators=[validate_single_line], help_text="The cited work's title, e.g. Leiomyosarcoma."
    )
    key = models.CharField(max_length=MAX_KEY_CHARS, validators=[validate_source_key], help_text=KEY_HELP)
    url = models.URLField(max_length=500, help_text="Where a reader can find the source.")
    publisher = models.CharField(
        max_length=200, blank=True, validators=[validate_single_line], help_text="e.g. Wikipedia."
    )
    accessed_on = models.DateField(null=True, blank=True, help_text="When the source was last checked.")
    licence = models.CharField(
        max_length=100,
        blank=True,
        help_text="The licence of text adapted from this source, e.g. CC BY-SA 4.0. Leave empty for a plain citation.",
    )
    licence_url = models.URLField(max_length=500, blank=True, help_text="Link to the licence's text.")
    position = models.PositiveIntegerField(default=0, help_text="Sources are listed in ascending order.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title
