"""A page's content as one plain value: what a draft holds, a revision stores and approval applies.

A tumour page's content:

    {"fields": {"name": ..., "slug": ..., "also_known_as": ..., "summary": ..., "test_kits": [kit ids]},
     "sections": [{"id": 12 or None, "heading": ..., "body": ...}, ...],     # in page order
     "sources": [{"id": ..., "title": ..., "key": ..., "url": ..., ...}, ...]}  # in list order

A test kit page's: {"fields": {"name": ..., "slug": ..., "description": ...}, "sections": [...]}. Which fields and
rows a kind of page has is described once, in tumours/page_kinds.py; everything here works on any kind.

An "id" names the live row a draft row came from, so that approval updates that row (its anchor stays) rather
than replacing it. Positions are the list order. A source's "key" is what the text cites it by ([@key], see
tumours/citations.py): part of the content, so a new or changed key goes through review like any other change.
"""

import copy
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from .citations import PageCitations, cited_keys, key_from_title, page_citations
from .models import KitSection, Section, Source, TestKit, Tumour, normalise_newlines
from .page_kinds import KIT, TUMOUR, PageKind, kind_of


def empty_content(kind: PageKind = TUMOUR) -> dict:
    fields = {**dict.fromkeys(kind.fields, ""), **{name: [] for name in kind.choices}}
    return {"fields": fields, **{rows.key: [] for rows in kind.rows}}


def live_content(page: models.Model) -> dict:
    """The content of the page's rows (what the public sees when it is live)."""
    kind = kind_of(page)
    if page.pk is None:
        return empty_content(kind)
    fields = {name: getattr(page, name) for name in kind.fields}
    for name in kind.choices:
        fields[name] = sorted(getattr(page, name).values_list("pk", flat=True))
    content = {"fields": fields}
    for rows in kind.rows:
        content[rows.key] = [{"id": row.pk, **_values(row, rows.fields)} for row in getattr(page, rows.key).all()]
    return normalise(content, kind)


def _values(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def merged(base: dict, *, fields: dict | None, kind: PageKind = TUMOUR, **rows: list[dict] | None) -> dict:
    """`base` with the given parts replaced: fields one by one, each kind of row (sections=...) as a whole list."""
    content = copy.deepcopy(base)
    content["fields"].update(fields or {})
    for key, given in rows.items():
        if given is None:
            continue
        if kind.row_set(key) is None:
            raise TypeError(f"A {kind.model._meta.verbose_name} page has no {key}.")
        content[key] = _in_order(given)
    return with_source_keys(normalise(content, kind))


def with_source_keys(content: dict) -> dict:
    """Sources the editor left without a key get one from their title (unique on the page)."""
    sources = content.get("sources", [])
    taken = {row["key"] for row in sources if row["key"]}
    for row in sources:
        if not row["key"]:
            row["key"] = key_from_title(row["title"], taken)
            taken.add(row["key"])
    return content


def _in_order(rows: list[dict]) -> list[dict]:
    # Rows may carry the model's "position"; a stable sort keeps the given order among equal positions.
    return sorted(rows, key=lambda row: row.get("position") or 0)


def normalise(content: dict, kind: PageKind = TUMOUR) -> dict:
    """One spelling for every value, so that an untouched save compares equal to what was there."""
    fields = content["fields"]
    result = {"fields": {name: _text(fields.get(name)) for name in kind.fields}}
    for name in kind.choices:
        result["fields"][name] = sorted({int(pk) for pk in fields.get(name) or []})
    for rows in kind.rows:
        result[rows.key] = [_row(row, rows.fields) for row in content.get(rows.key, [])]
    return result


def _row(row: dict, names: tuple[str, ...]) -> dict:
    values = {"id": int(row["id"]) if row.get("id") else None}
    for name in names:
        value = row.get(name)
        values[name] = value.isoformat() if isinstance(value, datetime.date) else _text(value)
    return values


def _text(value) -> str:
    # Browsers send CRLF; space at the end of a text is never meant, nor at the start of a one-line field.
    text = normalise_newlines("" if value is None else str(value)).rstrip()
    return text if "\n" in text else text.strip()


@dataclass(frozen=True)
class PageContent:
    """A tumour page's content as unsaved model instances: what a template, a validator or approval works with."""

    tumour: Tumour
    sections: list[Section]
    sources: list[Source]
    kits: list[TestKit]
    template = TUMOUR.template

    @property
    def page(self) -> Tumour:
        return self.tumour

    def context(self) -> dict:
        return {
            "tumour": self.tumour,
            "sections": self.sections,
            "sources": self.sources,
            "kits": self.kits,
            "citations": self.citations(),
        }

    def citations(self) -> PageCitations:
        """The texts rendered with numbered citations: the public page, every preview and the review screen."""
        texts = [("summary", self.tumour.summary), *((section.anchor, section.body) for section in self.sections)]
        return page_citations(texts=texts, keys=[source.key for source in self.sources])


@dataclass(frozen=True)
class KitPageContent:
    """A test kit page's content as unsaved instances, and the published tumour pages that offer the kit (not
    part of its content: each tumour page says which kits it offers)."""

    kit: TestKit
    sections: list[KitSection]
    tumours: list[Tumour] = field(default_factory=list)
    template = KIT.template

    @property
    def page(self) -> TestKit:
        return self.kit

    def context(self) -> dict:
        return {"kit": self.kit, "sections": self.sections, "tumours": self.tumours}


def build(content: dict, *, onto: models.Model) -> PageContent | KitPageContent:
    """Unsaved instances carrying `content`, on a copy of `onto` (the page's row: its id and review record)."""
    page, rows, choices = _instances(content, onto)
    if isinstance(onto, TestKit):
        return KitPageContent(kit=page, sections=rows["sections"], tumours=offering_tumours(onto))
    return PageContent(tumour=page, sections=rows["sections"], sources=rows["sources"], kits=choices["test_kits"])


def _instances(content: dict, onto: models.Model) -> tuple[models.Model, dict[str, list], dict[str, list]]:
    kind = kind_of(onto)
    page = copy.copy(onto)
    for name in kind.fields:
        setattr(page, name, content["fields"][name])
    rows = {
        spec.key: [
            spec.model(
                pk=row["id"], position=n, **{spec.parent: onto if onto.pk else None}, **row_values(row, spec.fields)
            )
            for n, row in enumerate(content[spec.key], start=1)
        ]
        for spec in kind.rows
    }
    choices = {
        name: list(model.objects.filter(pk__in=content["fields"][name])) for name, (model, _) in kind.choices.items()
    }
    return page, rows, choices


def row_values(row: dict, names: tuple[str, ...]) -> dict:
    """A content row's values as its model's fields take them."""
    values = {name: row[name] for name in names}
    if "accessed_on" in values:
        values["accessed_on"] = datetime.date.fromisoformat(values["accessed_on"]) if values["accessed_on"] else None
    return values


def live_page(tumour: Tumour) -> PageContent:
    """The page as its rows hold it (expects tumour.with_page_content() prefetches)."""
    return PageContent(
        tumour=tumour,
        sections=list(tumour.sections.all()),
        sources=list(tumour.sources.all()),
        kits=list(tumour.test_kits.all()),
    )


def live_kit_page(kit: TestKit) -> KitPageContent:
    """The kit's page as its rows hold it (expects TestKit.objects.with_page_content())."""
    return KitPageContent(kit=kit, sections=list(kit.sections.all()), tumours=offering_tumours(kit))


def offering_tumours(kit: TestKit) -> list[Tumour]:
    """The published tumour pages that offer the kit, by name: only what the kit page's list and picker show."""
    if kit.pk is None:
        return []
    return list(Tumour.objects.published().filter(test_kits=kit).only("name", "slug", "also_known_as"))


def live_page_of(page: models.Model) -> PageContent | KitPageContent:
    """Any kind of page as its rows hold it, read afresh."""
    if isinstance(page, TestKit):
        return live_kit_page(TestKit.objects.with_page_content().get(pk=page.pk))
    return live_page(Tumour.objects.with_page_content().get(pk=page.pk))


def validation_errors(content: dict, *, page: models.Model) -> dict[str, list[str]]:
    """Every problem with the content's values, keyed by field (the rows' key, e.g. "sections", for their rows)."""
    kind = kind_of(page)
    built, rows, _ = _instances(content, page if page.pk else kind.model())
    errors: dict[str, list[str]] = {}
    _collect(errors, built, exclude=_not_content(kind), prefix=None)
    for spec in kind.rows:
        for n, row in enumerate(rows[spec.key], start=1):
            _collect(errors, row, exclude=[spec.parent, "position"], prefix=(spec.key, f"{spec.label} {n}"))
    for name, (model, _) in kind.choices.items():
        known = set(model.objects.filter(pk__in=content["fields"][name]).values_list("pk", flat=True))
        if unknown := set(content["fields"][name]) - known:
            noun = model._meta.verbose_name
            errors.setdefault(name, []).append(f"No such {noun}: {', '.join(map(str, sorted(unknown)))}.")
    if "sources" in content:
        for at, messages in citation_errors(content).items():
            errors.setdefault(at, []).extend(messages)
    return errors


def citation_errors(content: dict) -> dict[str, list[str]]:
    """Keys used twice on the page, and citations of keys no source has, each named (a page with sources)."""
    errors: dict[str, list[str]] = {}
    first_with: dict[str, int] = {}
    for n, row in enumerate(content["sources"], start=1):
        if row["key"] in first_with:
            errors.setdefault("sources", []).append(
                f"Source {n}, key: “{row['key']}” is already the key of source {first_with[row['key']]}. "
                "Each source needs its own key."
            )
        first_with.setdefault(row["key"], n)
    for at, label, text in cited_texts(content):
        unknown = sorted(set(cited_keys(text)) - first_with.keys())
        if unknown:
            named = ", ".join(f"[@{key}]" for key in unknown)
            errors.setdefault(at, []).append(
                f"{label} cites {named}, but no source of this page has {_that_key(unknown)}. "
                "Add the source or correct the key."
            )
    return errors


def _that_key(keys: list[str]) -> str:
    return "that key" if len(keys) == 1 else "those keys"


def cited_texts(content: dict) -> list[tuple[str, str, str]]:
    """(error field, label, markdown) of every text that may cite sources, in page order."""
    texts = [("summary", "The summary", content["fields"]["summary"])]
    for n, row in enumerate(content["sections"], start=1):
        texts.append(("sections", f"Section {n} ({row['heading'] or 'untitled'})", row["body"]))
    return texts


def uncited_sections(content: dict) -> list[str]:
    """Headings of the sections that cite no source: what EDITORIAL_REQUIRE_CITATIONS refuses at approval."""
    return [row["heading"] or "untitled" for row in content["sections"] if not cited_keys(row["body"])]


def _not_content(kind: PageKind) -> list[str]:
    return [f.name for f in kind.model._meta.get_fields() if f.concrete and f.name not in kind.fields]


def _collect(errors: dict, instance, *, exclude: list[str], prefix: tuple[str, str] | None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=prefix is None, validate_constraints=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            if prefix is None:
                errors.setdefault(field_name, []).extend(messages)
            else:
                key, label = prefix
                name = instance._meta.get_field(field_name).verbose_name if field_name != "__all__" else ""
                errors.setdefault(key, []).extend(f"{label}, {name}: {message}" for message in messages)
