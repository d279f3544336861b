from dataclasses import dataclass
from datetime import datetime

from .models import TestRequest


@dataclass
class Event:
    at: datetime
    who: str
    kind: str  # "created", "status" or "note"
    text: str
    note: str = ""


def _name(user) -> str:
    return user.get_full_name() or user.get_username() if user else "a deleted user"


def timeline_for(test_request: TestRequest) -> list[Event]:
    """Status changes and internal notes, oldest first, in one list."""
    labels = dict(TestRequest.Status.choices)
    events = [Event(test_request.created_at, "the requester", "created", "Request received through the website")]
    for change in test_request.status_changes.select_related("changed_by"):
        text = f"Status: {labels[change.from_status]} → {labels[change.to_status]}"
        events.append(Event(change.changed_at, _name(change.changed_by), "status", text, change.note))
    for note in test_request.notes.select_related("author"):
        events.append(Event(note.created_at, _name(note.author), "note", "Internal note", note.text))
    return sorted(events, key=lambda event: event.at)
