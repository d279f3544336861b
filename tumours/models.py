import calendar
import datetime

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField

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


def normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def publication_problems(
    *,
    summary: str,
    last_reviewed_on: datetime.date | None,
    reviewed_by: str,
    section_count: int | None = None,
    source_count: int | None = None,
) -> dict[str, str]:
    """What a page lacks before the public may see it, keyed by the field to fix (a count of None: not checked)."""
    problems = {}
    if not (summary or "").strip():
        problems["summary"] = "A published page needs a summary."
    if not last_reviewed_on:
        problems["last_reviewed_on"] = "A published page needs the date of its last clinical review."
    if not (reviewed_by or "").strip():
        problems["reviewed_by"] = "A published page needs the name and role of its clinical reviewer."
    if section_count is not None and section_count < 1:
        problems["sections"] = "A published page needs at least one section."
    if source_count is not None and source_count < 1:
        problems["sources"] = "A published page needs at least one source."
    return problems


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
        """The only way public views fetch pages: published, and not scheduled for later."""
        return self.filter(status=Tumour.Status.PUBLISHED, published_at__lte=timezone.now())

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
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    # The workflow: draft -> in review -> published, and back to draft to unpublish.
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW},
        Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED},
        Status.PUBLISHED: {Status.DRAFT},
    }

    name = models.CharField(
        max_length=200,
        validators=[validate_single_line],
        help_text="The name patients and clinicians know it by, e.g. Leiomyosarcoma.",
    )
    slug = models.SlugField(max_length=200, unique=True, help_text="The page's address: /tumours/<slug>/.")
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
        help_text="Draft → In review → Published; back to Draft to unpublish. Only clinical reviewers can publish.",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the page goes live. Set automatically on first publication; a future time schedules it.",
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
        help_text="When the page must be checked again. Left empty or unchanged when a new review is recorded, "
        "it is set to 12 months after the last review.",
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="The clinical reviewer's name and role as shown to the public, "
        "e.g. Dr Helen Marsh, Consultant Medical Oncologist.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled by a PostgreSQL trigger from the name, aliases, summary and sections (migration 0002_search);
    # whatever Django writes here is replaced. Always empty on SQLite, which searches another way.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = TumourQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_tumour", "Can publish tumour")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Browsers send CRLF; store LF so an untouched text is not recorded as a change in the history.
        self.summary = normalise_newlines(self.summary)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.status == self.Status.PUBLISHED and self.first_published_at is None:
            self.first_published_at = self.published_at
        if self.last_reviewed_on and not self.next_review_due:
            self.next_review_due = add_months(self.last_reviewed_on, REVIEW_INTERVAL_MONTHS)
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

    def publication_problems(self) -> dict[str, str]:
        return publication_problems(
            summary=self.summary,
            last_reviewed_on=self.last_reviewed_on,
            reviewed_by=self.reviewed_by,
            section_count=self.sections.count(),
            source_count=self.sources.count(),
        )

    @property
    def is_public(self) -> bool:
        published = self.status == self.Status.PUBLISHED and self.published_at is not None
        return published and self.published_at <= timezone.now()

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


class StatusChange(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Tumour.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Tumour.Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.tumour}: {self.from_status or 'new'} → {self.to_status}"


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


class Source(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(
        max_length=300, validators=[validate_single_line], help_text="The cited work's title, e.g. Leiomyosarcoma."
    )
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


# One version per save covers the page, its sections and its sources (see README, "History").
reversion.register(Tumour, follow=["sections", "sources"])
reversion.register(Section)
reversion.register(Source)
