"""Input rules for page content, with the limits they enforce: every form, service and full_clean() applies them.

Markdown fields have a length limit each and must fit the renderer's budgets (tumours/markdown.py), so no
text an editor can save takes more than 100 ms to render. Single-line fields (names, headings, titles) refuse
control characters: a line break in a tumour's name once made every e-mail about it fail (BadHeaderError).
"""

import re

from django.core.exceptions import ValidationError

from .markdown import MAX_MARKDOWN_CHARS, markdown_problems

SUMMARY_MAX_CHARS = 3_000
SECTION_BODY_MAX_CHARS = MAX_MARKDOWN_CHARS
KIT_DESCRIPTION_MAX_CHARS = 2_000

# C0 and C1 controls (tab, CR, LF, NUL, ESC ...), DEL, and Unicode's line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_single_line(value: str) -> None:
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            "Use one line of plain text: line breaks, tabs and other control characters are not allowed here.",
            code="control_characters",
        )


def _validate_markdown(value: str, max_chars: int) -> None:
    # Browsers send CRLF line ends; the stored text has LF (Tumour.save), so count that.
    problems = markdown_problems((value or "").replace("\r\n", "\n"), max_chars=max_chars)
    if problems:
        raise ValidationError([ValidationError(problem, code="markdown_limits") for problem in problems])


def validate_summary(value: str) -> None:
    _validate_markdown(value, SUMMARY_MAX_CHARS)


def validate_section_body(value: str) -> None:
    _validate_markdown(value, SECTION_BODY_MAX_CHARS)


def validate_kit_description(value: str) -> None:
    _validate_markdown(value, KIT_DESCRIPTION_MAX_CHARS)
