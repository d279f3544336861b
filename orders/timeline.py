from dataclasses import dataclass
from datetime import datetime

from .models import FieldChange, TestRequest
from .team import display_name


@dataclass
class Event:
    at: datetime
    who: str
    kind: str  # "created", "status", "note", "attempt", "owner", "next_action" or "email"
    text: str
    note: str = ""


def timeline_for(test_request: TestRequest) -> list[Event]:
    """Everything that happened to the request, newest first, in one list."""
    labels = dict(TestRequest.Status.choices)
    events = [Event(test_request.created_at, "the requester", "created", "Request received through the website")]
    for change in test_request.status_changes.select_related("changed_by"):
        text = f"Status: {labels[change.from_status]} → {labels[change.to_status]}"
        if change.reason:
            text += f" ({change.get_reason_display()})"
        events.append(Event(change.changed_at, display_name(change.changed_by), "status", text, change.note))
    for note in test_request.notes.select_related("author"):
        events.append(Event(note.created_at, display_name(note.author), "note", "Note", note.text))
    for attempt in test_request.contact_attempts.select_related("made_by"):
        text = f"Contact attempt by {attempt.get_channel_display().lower()}: {attempt.get_outcome_display()}"
        events.append(Event(attempt.made_at, display_name(attempt.made_by), "attempt", text, attempt.note))
    for change in test_request.field_changes.select_related("changed_by"):
        events.append(Event(change.changed_at, display_name(change.changed_by), change.field, _field_text(change)))
    for notification in test_request.notifications.select_related("sent_by"):
        who = display_name(notification.sent_by) if notification.sent_by_id else "the website"
        text = f"E-mail: {notification.template_name or notification.get_kind_display()} – "
        text += notification.get_state_display().lower()
        events.append(Event(notification.created_at, who, "email", text, notification.subject))
    return sorted(events, key=lambda event: event.at, reverse=True)


def _field_text(change: FieldChange) -> str:
    if change.field == FieldChange.Field.OWNER:
        if not change.to_value:
            return f"Unassigned (was {change.from_value})"
        return f"Assigned to {change.to_value}" + (f" (was {change.from_value})" if change.from_value else "")
    return f"Next action: {change.to_value}"
