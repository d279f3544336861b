"""The kinds of page that go through drafts and approval, and what differs between them.

A tumour page and a test kit's page follow the same editorial rules (tumours/services.py), keep their content in
the same format (tumours/content.py), are compared by the same diff and edited on the same admin screens. What
differs is described here, once per kind: the fields its content holds, the ordered rows it owns, what it needs
before the public may see it, who may edit and approve it, and how it is shown.
"""

from dataclasses import dataclass, field

from django.db import models

from .models import KitSection, Section, Source, TestKit, Tumour

SECTION_FIELDS = ("heading", "body")
# A source's key is what the page's text cites it by ([@key], tumours/citations.py).
SOURCE_FIELDS = ("title", "key", "url", "publisher", "accessed_on", "licence", "licence_url")


@dataclass(frozen=True)
class Rows:
    """Ordered rows a page owns, e.g. a tumour's sections. `key` is both the content's key and the related name."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    parent: str  # the row's foreign key to its page
    label: str  # one row, as the admin and the diff name it: "Section 3"


@dataclass(frozen=True)
class PageKind:
    model: type[models.Model]
    plural: str  # "tumour pages", in messages such as "You may not edit tumour pages."
    fields: tuple[str, ...]  # the page's own content fields, on its row
    field_labels: dict[str, str]
    rows: tuple[Rows, ...]
    # The page's own markdown, before its sections (a tumour's summary, a kit's description): what readability
    # figures and citations read besides the sections.
    lead: str
    # Many-to-many fields held in the content as sorted lists of ids, with how the diff names them.
    choices: dict[str, tuple[type[models.Model], str]] = field(default_factory=dict)
    # What the content must have before the public may see it: (field or rows key, message).
    required: tuple[tuple[str, str], ...] = ()
    # Whether a draft names the page's row (name and slug) until the page is first published. A kit's name shows
    # in the kit box of every tumour page that offers it, so only an approval renames a kit that exists.
    draft_names_unpublished_row: bool = True
    # How the public page is drawn: its whole template, and the article that previews and the review screen show.
    template: str = ""
    article_template: str = ""

    @property
    def permission_prefix(self) -> str:
        return f"{self.model._meta.app_label}."

    @property
    def add_permission(self) -> str:
        return f"{self.permission_prefix}add_{self.model._meta.model_name}"

    @property
    def change_permission(self) -> str:
        return f"{self.permission_prefix}change_{self.model._meta.model_name}"

    @property
    def publish_permission(self) -> str:
        return f"{self.permission_prefix}publish_{self.model._meta.model_name}"

    def admin_url_name(self, view: str) -> str:
        """The name of one of this kind's admin views, e.g. admin:tumours_tumour_review."""
        return f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_{view}"

    def row_set(self, key: str) -> Rows | None:
        return next((rows for rows in self.rows if rows.key == key), None)

    def publication_problems(self, content: dict) -> dict[str, str]:
        """What the content lacks before the public may see it, keyed by the field (or rows) to fix."""
        problems = {}
        for key, message in self.required:
            value = content["fields"][key] if key in self.fields else content[key]
            if not (value.strip() if isinstance(value, str) else value):
                problems[key] = message
        return problems


TUMOUR = PageKind(
    model=Tumour,
    plural="tumour pages",
    fields=Tumour.CONTENT_FIELDS,
    field_labels={"name": "Name", "slug": "Address (slug)", "also_known_as": "Also known as", "summary": "Summary"},
    lead="summary",
    rows=(
        Rows("sections", Section, SECTION_FIELDS, parent="tumour", label="Section"),
        Rows("sources", Source, SOURCE_FIELDS, parent="tumour", label="Source"),
    ),
    choices={"test_kits": (TestKit, "Test kits")},
    required=(
        ("summary", "A published page needs a summary."),
        ("sections", "A published page needs at least one section."),
        ("sources", "A published page needs at least one source."),
    ),
    template="tumours/detail.html",
    article_template="tumours/includes/article.html",
)

KIT = PageKind(
    model=TestKit,
    plural="test kit pages",
    fields=TestKit.CONTENT_FIELDS,
    field_labels={"name": "Name", "slug": "Address (slug)", "description": "Description"},
    lead="description",
    rows=(Rows("sections", KitSection, SECTION_FIELDS, parent="kit", label="Section"),),
    # The seed gives a kit only its description; the sections are for editors to write when they have them.
    required=(("description", "A published kit page needs a description."),),
    draft_names_unpublished_row=False,
    template="tumours/kit_detail.html",
    article_template="tumours/includes/kit_article.html",
)

KINDS = {kind.model: kind for kind in (TUMOUR, KIT)}


def kind_of(page: models.Model | type[models.Model]) -> PageKind:
    """The kind of a page, or of a page model."""
    model = page if isinstance(page, type) else type(page)
    try:
        return KINDS[model]
    except KeyError:
        raise TypeError(f"{model.__name__} is not a kind of page with drafts and approval.") from None
