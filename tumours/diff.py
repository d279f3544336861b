"""What changed between two versions of a page's content, word by word, as a reviewer reads it.

Fields and sections are compared one by one; within a text only the words that changed are marked, so a one-word
fix shows as one word. Sections are matched by the live row they came from, so a section that moved is shown as
moved (and any change inside it as usual), and a new or deleted section as added or removed.
"""

import difflib
import re
from dataclasses import dataclass, field

from .page_kinds import SOURCE_FIELDS, TUMOUR, PageKind

# Words, runs of spaces, line breaks and single punctuation marks: the units a change is shown in.
TOKENS = re.compile(r"\n|[^\S\n]+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Part:
    op: str  # "=" unchanged, "-" removed, "+" added
    text: str


@dataclass
class Change:
    label: str
    kind: str  # "changed", "added", "removed", "moved"
    parts: list[Part] = field(default_factory=list)
    note: str = ""


def words(old: str, new: str) -> list[Part]:
    """`old` turned into `new`, as runs of unchanged, removed and added text."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    parts: list[Part] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(Part("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Part("-", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(Part("+", "".join(b[j1:j2])))
    return parts


def page_diff(old: dict, new: dict, kind: PageKind = TUMOUR) -> list[Change]:
    """The changes from content `old` to content `new` (content as tumours/content.py defines it)."""
    changes = [
        Change(label, "changed", words(old["fields"][name], new["fields"][name]))
        for name, label in kind.field_labels.items()
        if old["fields"][name] != new["fields"][name]
    ]
    for name, (model, label) in kind.choices.items():
        if old["fields"][name] != new["fields"][name]:
            changes.append(
                Change(label, "changed", words(_names(model, old["fields"][name]), _names(model, new["fields"][name])))
            )
    for rows in kind.rows:
        text, title = ROW_TEXT[rows.key]
        changes += _rows(old[rows.key], new[rows.key], rows.label, text, lambda row, title=title: row[title])
    return changes


def _rows(old: list[dict], new: list[dict], noun: str, text, title) -> list[Change]:
    old_by_id = {row["id"]: (n, row) for n, row in enumerate(old, start=1) if row["id"]}
    matched, changes = set(), []
    for n, row in enumerate(new, start=1):
        before = old_by_id.get(row["id"]) if row["id"] else None
        if before is None:
            changes.append(Change(f"{noun} {n}: {title(row)}", "added", [Part("+", text(row))]))
            continue
        matched.add(row["id"])
        was, old_row = before
        parts = words(text(old_row), text(row)) if text(old_row) != text(row) else []
        note = f"Moved from place {was} to place {n}." if _moved(old, new, row["id"]) else ""
        if parts or note:
            changes.append(
                Change(f"{noun} {n}: {title(row)}", "moved" if note and not parts else "changed", parts, note)
            )
    for n, row in enumerate(old, start=1):
        if row["id"] not in matched:
            changes.append(Change(f"{noun} {n} (removed): {title(row)}", "removed", [Part("-", text(row))]))
    return changes


def _moved(old: list[dict], new: list[dict], row_id) -> bool:
    # Moved relative to the rows both versions share: adding a row above another does not move it.
    shared = {row["id"] for row in old} & {row["id"] for row in new}
    order_old = [row["id"] for row in old if row["id"] in shared]
    order_new = [row["id"] for row in new if row["id"] in shared]
    return order_old.index(row_id) != order_new.index(row_id)


def _section_text(row: dict) -> str:
    return f"{row['heading']}\n\n{row['body']}"


def _source_text(row: dict) -> str:
    return " · ".join(str(row.get(name) or "") for name in SOURCE_FIELDS if row.get(name))


def _names(model, ids: list[int]) -> str:
    names = model.objects.filter(pk__in=ids).values_list("name", flat=True)
    return ", ".join(sorted(names)) or "none"


# How a row reads in the diff, and the field that names it, by the rows' key in the content.
ROW_TEXT = {"sections": (_section_text, "heading"), "sources": (_source_text, "title")}
