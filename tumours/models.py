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


class ReviewedPageQuerySet(models.QuerySet):
    def published(self):
        """The only way public views fetch pages. A page is published only by an approval (tumours/services.py)."""
        return self.filter(status=ReviewedPage.Status.PUBLISHED)

    def review_overdue(self, today: datetime.date | None = None):
        # A published page with no review date is as much out of review as one past its date.
        today = today or timezone.localdate()
        return self.filter(
            Q(next_review_due__lt=today) | Q(status=ReviewedPage.Status.PUBLISHED, next_review_due__isnull=True)
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


class ReviewedPage(models.Model):
    """What every public page has besides its content: whether it is live, since when, and its clinical review.

    Set only by tumours/services.py, when a draft is approved or a page unpublished; the content fields of each
    kind of page (CONTENT_FIELDS) are changed through its draft (tumours/content.py).
    """

    class Status(models.TextChoices):
        # Whether the page's rows are public. Where its draft stands in review is the Draft's state.
        DRAFT = "draft", "Not published"
        PUBLISHED = "published", "Published"

    CONTENT_FIELDS: tuple[str, ...] = ()

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
        help_text="The Flesch-Kincaid grade of the hardest text of the live page (its summary or description, or "
        "a section), set when a draft goes live (tumours/readability.py).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.last_reviewed_on and not self.next_review_due:
            self.next_review_due = next_review_after(self.last_reviewed_on)
        super().save(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def shows_content_unpublished(self) -> bool:
        """Whether the public sees some of this page's content while the page itself is not published."""
        return False


class PageSection(models.Model):
    """An ordered markdown section of a page."""

    heading = models.CharField(
        max_length=200, validators=[validate_single_line], help_text="Shown as the section's heading, e.g. Treatment."
    )
    body = MarkdownxField(
        validators=[validate_section_body],
        help_text="The section's text. Markdown; the preview shows exactly what visitors see.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Sections are shown in ascending order.")

    class Meta:
        abstract = True
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


class TestKitQuerySet(ReviewedPageQuerySet):
    def with_page_content(self):
        return self.prefetch_related("sections")

    def for_links(self):
        """The published kit pages, with just what a link to each needs (home page, footer, search)."""
        return self.published().only("name", "slug", "description", "status")


class TestKit(ReviewedPage):
    """A test the company sells, and its page (/tests/<slug>/). Its description also fills the kit box on every
    tumour page that offers it: that text, like the page, changes only when a reviewer approves a draft."""

    CONTENT_FIELDS = ("name", "slug", "description")

    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[validate_single_line],
        help_text="The kit's name as sold, e.g. Oncofocus.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The kit page's address, /tests/&lt;slug&gt;/: lower-case letters, numbers and hyphens. "
        "It cannot change once the page has been public.",
    )
    description = MarkdownxField(
        validators=[validate_kit_description],
        help_text="The kit in a few sentences: the start of its page, and the kit box on every tumour page that "
        "offers it. Markdown.",
    )

    drafts = GenericRelation(Draft, related_query_name="kit")
    revisions = GenericRelation(Revision, related_query_name="kit")
    events = GenericRelation(EditorialEvent, related_query_name="kit")
    preview_links = GenericRelation(PreviewLink, related_query_name="kit")

    objects = TestKitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "test kit"
        permissions = [("publish_testkit", "Can approve, schedule and unpublish test kit pages")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.description = normalise_newlines(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tumours:kit", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.pk and self.first_published_at is not None:
            stored = TestKit.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if stored is not None and stored != self.slug:
                raise ValidationError(
                    {
                        "slug": f"The page has been public at /tests/{stored}/, which people may have saved or linked: "
                        "its address stays."
                    }
                )

    @property
    def shows_content_unpublished(self) -> bool:
        # The kit box of every tumour page that offers the kit shows its name and description, page or no page.
        # Only an approval (or the move to kit pages, for the kits there were) writes them on the row.
        return bool(self.description.strip())


class KitSection(PageSection):
    kit = models.ForeignKey(TestKit, on_delete=models.CASCADE, related_name="sections")

    class Meta(PageSection.Meta):
        verbose_name = "kit page section"


class TumourQuerySet(ReviewedPageQuerySet):
    def with_page_content(self):
        return self.prefetch_related("sections", "sources", "test_kits")


class Tumour(ReviewedPage):
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
    # The summary as plain text (rendered, citations left out, as every snippet shows it), written with the summary
    # on every save: search shows it as the snippet without rendering markdown for each hit (~8 ms for 20 hits).
    summary_text = models.TextField(blank=True, editable=False)
    test_kits = models.ManyToManyField(
        TestKit,
        blank=True,
        related_name="tumours",
        help_text="Kits a visitor can request for this tumour. Leave empty to show no request button.",
    )
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
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "summary" in update_fields:
            self.summary_text = summary_plain_text(self.summary)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "summary_text"}
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


def summary_plain_text(summary: str) -> str:
    from .text import plain_text  # tumours/text.py renders through tumours/markdown.py, which needs the apps ready

    return plain_text(summary)


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


class Section(PageSection):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sections")


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
