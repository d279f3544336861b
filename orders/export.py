"""CSV export of test requests, streamed row by row so that 100,000 rows never sit in memory."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

from .team import display_name

HEADER = [
    "Reference", "Created", "Status", "Tumour", "Test kit", "Requester type", "Full name", "Email", "Phone",
    "Country", "Message", "Owner", "Next action on", "Next action", "Notes", "Contact attempts", "Last activity",
    "First contacted", "Reason closed", "Possible duplicate of", "Erased",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Query parameters of the changelist that are not filters.
NON_FILTER_PARAMS = {"o", "p", "e", "_changelist_filters"}


def filter_names(params) -> str:
    """The names of the filters an export used, for the access log: never their values, which may be a name or an
    address typed into the address bar (a search is recorded as "search")."""
    names = sorted({"search" if name == "q" else name for name in params if name not in NON_FILTER_PARAMS})
    return (", ".join(names) or "no filter")[:1000]


def escape_cell(value) -> str:
    # A spreadsheet runs a cell beginning with one of these as a formula; a leading quote makes it text.
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def row_for(test_request) -> list[str]:
    """One row; test_request carries notes_count and attempts_count annotations (see the admin's export)."""
    cells = [
        test_request.reference,
        _when(test_request.created_at),
        test_request.get_status_display(),
        test_request.tumour.name,
        test_request.test_kit.name,
        test_request.get_requester_type_display(),
        test_request.full_name,
        test_request.email,
        test_request.phone,
        test_request.country.name,
        test_request.message,
        display_name(test_request.owner) if test_request.owner_id else "",
        test_request.next_action_on.isoformat() if test_request.next_action_on else "",
        test_request.next_action_note,
        test_request.notes_count,
        test_request.attempts_count,
        _when(test_request.last_activity_at),
        _when(test_request.first_contacted_at),
        test_request.get_close_reason_display(),
        test_request.duplicate_of.reference if test_request.duplicate_of else "",
        "yes" if test_request.erased_at else "",
    ]
    return [escape_cell(cell) for cell in cells]


class _Echo:
    def write(self, value):
        return value


def stream_csv(queryset, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so that Excel reads UTF-8
        yield writer.writerow(HEADER)
        for test_request in queryset.iterator(chunk_size=2000):
            yield writer.writerow(row_for(test_request))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
