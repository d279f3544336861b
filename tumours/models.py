from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from markdownx.models import MarkdownxField


class TestKit(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="The kit's name as sold, e.g. Oncofocus.")
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in links; letters, numbers and hyphens.")
    description = MarkdownxField(help_text="Shown in the kit box on every tumour page that offers this kit. Markdown.")

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


class Tumour(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    name = models.CharField(
        max_length=200, help_text="The name patients and clinicians know it by, e.g. Leiomyosarcoma."
    )
    slug = models.SlugField(max_length=200, unique=True, help_text="The page's address: /tumours/<slug>/.")
    also_known_as = models.CharField(
        max_length=500,
        blank=True,
        help_text="Other names and abbreviations, separated by commas, e.g. LMS.",
    )
    summary = MarkdownxField(help_text="The lead paragraphs shown above the sections. Markdown.")
    test_kits = models.ManyToManyField(
        TestKit,
        blank=True,
        related_name="tumours",
        help_text="Kits a visitor can request for this tumour. Leave empty to show no request button.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the page goes live. Set automatically on first publication; a future time schedules it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Filled by a PostgreSQL trigger from the name, aliases, summary and sections (migration 0002_search);
    # whatever Django writes here is replaced. Always empty on SQLite, which searches another way.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = TumourQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tumours:detail", kwargs={"slug": self.slug})

    @property
    def aliases(self) -> list[str]:
        return [alias.strip() for alias in self.also_known_as.split(",") if alias.strip()]


class Section(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sections")
    heading = models.CharField(max_length=200, help_text="Shown as the section's heading, e.g. Treatment.")
    body = MarkdownxField(help_text="The section's text. Markdown; the preview shows exactly what visitors see.")
    position = models.PositiveIntegerField(default=0, help_text="Sections are shown in ascending order.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.heading


class Source(models.Model):
    tumour = models.ForeignKey(Tumour, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=300, help_text="The cited work's title, e.g. Leiomyosarcoma.")
    url = models.URLField(max_length=500, help_text="Where a reader can find the source.")
    publisher = models.CharField(max_length=200, blank=True, help_text="e.g. Wikipedia.")
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
