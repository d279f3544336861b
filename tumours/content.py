"""A tumour page's content as one plain value: what a draft holds, a revision stores and approval applies.

    {"fields": {"name": ..., "slug": ..., "also_known_as": ..., "summary": ..., "test_kits": [kit ids]},
     "sections": [{"id": 12 or None, "heading": ..., "body": ...}, ...],     # in page order
     "sources": [{"id": ..., "title": ..., "key": ..., "url": ..., ...}, ...]}  # in list order

An "id" names the live row a draft row came from, so that approval updates that row (its anchor stays) rather
than replacing it. Positions are the list order. A source's "key" is what the text cites it by ([@key], see
tumours/citations.py): part of the content, so a new or changed key goes through review like any other change.
"""

import copy
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .citations import cited_keys, key_from_title
from .models import Section, Source, TestKit, Tumour, normalise_newlines

SECTION_FIELDS = ("heading", "body")
SOURCE_FIELDS = ("title", "key", "url", "publisher", "accessed_on", "licence", "licence_url")
CHILDREN = {"sections": (Section, SECTION_FIELDS), "sources": (Source, SOURCE_FIELDS)}


def empty_content() -> dict:
    fields = dict.fromkeys(Tumour.CONTENT_FIELDS, "")
    return {"fields": {**fields, "test_kits": []}, "sections": [], "sources": []}


def live_content(tumour: Tumour) -> dict:
    """The content of the page's rows (what the public sees when it is live)."""
    if tumour.pk is None:
        return empty_content()
    fields = {name: getattr(tumour, name) for name in Tumour.CONTENT_FIELDS}
    fields["test_kits"] = sorted(tumour.test_kits.values_list("pk", flat=True))
    return normalise(
        {
            "fields": fields,
            "sections": [{"id": s.pk, **_values(s, SECTION_FIELDS)} for s in tumour.sections.all()],
            "sources": [{"id": s.pk, **_values(s, SOURCE_FIELDS)} for s in tumour.sources.all()],
        }
    )


def _values(row, names) -> dict:
    return {name: getattr(row, name) for name in names}


def merged(base: dict, *, fields: dict | None, sections: list[dict] | None, sources: list[dict] | None) -> dict:
    """`base` with the given parts replaced: fields one by one, sections and sources as whole lists."""
    content = copy.deepcopy(base)
    content["fields"].update(fields or {})
    if sections is not None:
        content["sections"] = _in_order(sections)
    if sources is not None:
        content["sources"] = _in_order(sources)
    return with_source_keys(normalise(content))


def with_source_keys(content: dict) -> dict:
    """Sources the editor left without a key get one from their title (unique on the page)."""
    taken = {row["key"] for row in content["sources"] if row["key"]}
    for row in content["sources"]:
        if not row["key"]:
            row["key"] = key_from_title(row["title"], taken)
            taken.add(row["key"])
    return content


def _in_order(rows: list[dict]) -> list[dict]:
    # Rows may carry the model's "position"; a stable sort keeps the given order among equal positions.
    return sorted(rows, key=lambda row: row.get("position") or 0)


def normalise(content: dict) -> dict:
    """One spelling for every value, so that an untouched save compares equal to what was there."""
    fields = content["fields"]
    result = {
        "fields": {name: _text(fields.get(name)) for name in Tumour.CONTENT_FIELDS},
        "sections": [_row(row, SECTION_FIELDS) for row in content.get("sections", [])],
        "sources": [_row(row, SOURCE_FIELDS) for row in content.get("sources", [])],
    }
    result["fields"]["test_kits"] = sorted({int(pk) for pk in fields.get("test_kits") or []})
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
    """Content as unsaved model instances: what a template, a validator or approval works with."""

    tumour: Tumour
    sections: list[Section]
    sources: list[Source]
    kits: list[TestKit]


def build(content: dict, *, onto: Tumour) -> PageContent:
    """Unsaved instances carrying `content`, on a copy of `onto` (the page's row: its id and review record)."""
    tumour = copy.copy(onto)
    for name in Tumour.CONTENT_FIELDS:
        setattr(tumour, name, content["fields"][name])
    sections = [
        Section(pk=row["id"], tumour=onto if onto.pk else None, position=n, **row_values(row, SECTION_FIELDS))
        for n, row in enumerate(content["sections"], start=1)
    ]
    sources = [
        Source(pk=row["id"], tumour=onto if onto.pk else None, position=n, **row_values(row, SOURCE_FIELDS))
        for n, row in enumerate(content["sources"], start=1)
    ]
    kits = list(TestKit.objects.filter(pk__in=content["fields"]["test_kits"]))
    return PageContent(tumour=tumour, sections=sections, sources=sources, kits=kits)


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


def validation_errors(content: dict, *, page: Tumour) -> dict[str, list[str]]:
    """Every problem with the content's values, keyed by field ("sections"/"sources" for their rows)."""
    built = build(content, onto=page if page.pk else Tumour())
    errors: dict[str, list[str]] = {}
    _collect(errors, built.tumour, exclude=_not_content(Tumour), prefix=None)
    for key, (model, _) in CHILDREN.items():
        rows = getattr(built, key)
        for n, row in enumerate(rows, start=1):
            label = f"{model._meta.verbose_name.capitalize()} {n}"
            _collect(errors, row, exclude=["tumour", "position"], prefix=(key, label))
    known = set(TestKit.objects.filter(pk__in=content["fields"]["test_kits"]).values_list("pk", flat=True))
    if unknown := set(content["fields"]["test_kits"]) - known:
        errors.setdefault("test_kits", []).append(f"No such test kit: {', '.join(map(str, sorted(unknown)))}.")
    for field, messages in citation_errors(content).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def citation_errors(content: dict) -> dict[str, list[str]]:
    """Keys used twice on the page, and citations of keys no source has, each named."""
    errors: dict[str, list[str]] = {}
    first_with: dict[str, int] = {}
    for n, row in enumerate(content["sources"], start=1):
        if row["key"] in first_with:
            errors.setdefault("sources", []).append(
                f"Source {n}, key: “{row['key']}” is already the key of source {first_with[row['key']]}. "
                "Each source needs its own key."
            )
        first_with.setdefault(row["key"], n)
    for field, label, text in cited_texts(content):
        unknown = sorted(set(cited_keys(text)) - first_with.keys())
        if unknown:
            named = ", ".join(f"[@{key}]" for key in unknown)
            errors.setdefault(field, []).append(
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


def _not_content(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if f.concrete and f.name not in Tumour.CONTENT_FIELDS]


def _collect(errors: dict, instance, *, exclude: list[str], prefix: tuple[str, str] | None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=prefix is None, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            if prefix is None:
                errors.setdefault(field, []).extend(messages)
            else:
                key, label = prefix
                name = instance._meta.get_field(field).verbose_name if field != "__all__" else ""
                errors.setdefault(key, []).extend(f"{label}, {name}: {message}" for message in messages)
