"""Versions of a tumour page (django-reversion): who changed it last, readable diffs, and restoring."""

import difflib
from dataclasses import dataclass

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from .models import OldSlug, Section, Source, Tumour

# Restoring brings back the text, never the workflow: it cannot publish or unpublish a page.
WORKFLOW_FIELDS = ["status", "published_at", "first_published_at"]
PAGE_FIELDS = [
    ("name", "Name"),
    ("slug", "Slug"),
    ("also_known_as", "Also known as"),
    ("summary", "Summary"),
    ("last_reviewed_on", "Last reviewed on"),
    ("next_review_due", "Next review due"),
    ("reviewed_by", "Reviewed by"),
]


class RestoreError(Exception):
    pass


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[tuple[str, str]]  # (marker: "+", "-" or " ", text)


def versions_of(tumour: Tumour):
    return Version.objects.get_for_object(tumour).select_related("revision__user")


def last_change(tumour: Tumour) -> tuple[str, str]:
    """Who last saved the page and when, for the conflict message."""
    latest = versions_of(tumour).first()
    who = "another editor"
    if latest is not None and latest.revision.user is not None:
        user = latest.revision.user
        who = user.get_full_name() or user.get_username()
    stored = Tumour.objects.filter(pk=tumour.pk).values_list("updated_at", flat=True).first() or tumour.updated_at
    when = date_format(timezone.localtime(stored), "j F Y, H:i:s")
    return who, when


def page_text(*, fields: dict, sections: list[dict], sources: list[dict]) -> dict[str, str]:
    texts = {label: str(fields.get(name) or "") for name, label in PAGE_FIELDS}
    ordered = sorted(sections, key=lambda s: (s.get("position") or 0, s.get("id") or 0))
    texts["Sections"] = "\n\n".join(f"## {s['heading']}\n\n{s['body']}".strip() for s in ordered)
    ordered = sorted(sources, key=lambda s: (s.get("position") or 0, s.get("id") or 0))
    keys = ("title", "url", "publisher", "accessed_on", "licence")
    texts["Sources"] = "\n".join(" · ".join(str(s.get(k) or "") for k in keys) for s in ordered)
    return texts


def version_text(version: Version) -> dict[str, str]:
    related = {Section: [], Source: []}
    for other in version.revision.version_set.all():
        if other._model in related and other.field_dict.get("tumour_id") == version.field_dict["id"]:
            related[other._model].append(other.field_dict)
    return page_text(fields=version.field_dict, sections=related[Section], sources=related[Source])


def current_text(tumour: Tumour) -> dict[str, str]:
    fields = {name: getattr(tumour, name) for name, _ in PAGE_FIELDS}
    sections = list(tumour.sections.values("id", "position", "heading", "body"))
    sources = list(tumour.sources.values("id", "position", "title", "url", "publisher", "accessed_on", "licence"))
    return page_text(fields=fields, sections=sections, sources=sources)


def diff(old: dict[str, str], new: dict[str, str]) -> list[FieldDiff]:
    """Only the parts that differ, line by line, old first."""
    result = []
    for label, old_text in old.items():
        new_text = new.get(label, "")
        if old_text == new_text:
            continue
        lines = []
        for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
            if line[:1] in "+- ":
                lines.append((line[:1], line[2:]))
        result.append(FieldDiff(label, lines))
    return result


def restore_version(*, tumour: Tumour, version: Version, user: AbstractBaseUser) -> Tumour:
    """Bring back the page and all its sections and sources as they were in `version`, as a new version."""
    wanted_slug = version.field_dict["slug"]
    clash = Tumour.objects.filter(slug=wanted_slug).exclude(pk=tumour.pk).first()
    old = OldSlug.objects.select_related("tumour").filter(slug=wanted_slug).exclude(tumour=tumour).first()
    clash = clash or (old and old.tumour)
    if clash is not None:
        raise RestoreError(f"Cannot restore: the address “{wanted_slug}” now belongs to “{clash.name}”.")
    current = Tumour.objects.get(pk=tumour.pk)
    saved_on = date_format(timezone.localtime(version.revision.date_created), "j F Y, H:i")
    with transaction.atomic(), reversion.create_revision():
        version.revision.revert(delete=True)
        restored = Tumour.objects.get(pk=tumour.pk)
        for name in WORKFLOW_FIELDS:
            setattr(restored, name, getattr(current, name))
        restored._stored_slug = current.slug
        # A normal save: new updated_at (stale forms are refused), old slugs kept, cache signals sent.
        restored.save()
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version saved on {saved_on}.")
    return restored
