"""The review diff marks what changed word by word, and sections as moved, added or removed."""

from tumours.content import empty_content, merged
from tumours.diff import Part, page_diff, words


def content(**fields):
    base = empty_content()
    base["fields"].update(name="Leiomyosarcoma", slug="leiomyosarcoma", summary="A malignant smooth muscle tumour.")
    return merged(base, fields=fields, sections=None, sources=None)


def with_sections(base, *rows):
    return merged(base, fields=None, sections=[{"id": i, "heading": h, "body": b} for i, h, b in rows], sources=None)


def test_a_one_word_fix_shows_as_that_word():
    assert words("It is a resistant cancer.", "It is a resistent cancer.") == [
        Part("=", "It is a "),
        Part("-", "resistant"),
        Part("+", "resistent"),
        Part("=", " cancer."),
    ]


def test_unchanged_fields_and_sections_are_not_listed():
    old = with_sections(content(), (1, "Location", "Uterus."), (2, "Treatment", "Surgery."))
    new = with_sections(content(summary="A malignant smooth-muscle tumour."), (1, "Location", "Uterus."),
                        (2, "Treatment", "Surgery."))  # fmt: skip
    changes = page_diff(old, new)
    assert [change.label for change in changes] == ["Summary"]
    assert [p.text for p in changes[0].parts if p.op != "="] == [" ", "-"]


def test_sections_added_removed_and_moved_are_shown_as_such():
    old = with_sections(content(), (1, "Location", "Uterus."), (2, "Treatment", "Surgery."), (3, "Outlook", "Varies."))
    new = with_sections(content(), (2, "Treatment", "Surgery first."), (1, "Location", "Uterus."),
                        (None, "Symptoms", "A lump."))  # fmt: skip
    changes = {change.label: change for change in page_diff(old, new)}
    assert changes["Section 1: Treatment"].kind == "changed"
    assert changes["Section 1: Treatment"].note == "Moved from place 2 to place 1."
    assert changes["Section 2: Location"].kind == "moved"
    assert changes["Section 3: Symptoms"].kind == "added"
    assert changes["Section 3 (removed): Outlook"].kind == "removed"


def test_adding_a_section_above_another_does_not_move_it():
    old = with_sections(content(), (1, "Location", "Uterus."))
    new = with_sections(content(), (None, "Overview", "New."), (1, "Location", "Uterus."))
    assert [change.kind for change in page_diff(old, new)] == ["added"]
