"""Medical review: dates on the page, the review-due admin view and filter, and the daily reminder."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import change_form
from tests.factories import SectionFactory, TumourFactory, UserFactory
from tests.tumours.test_public_pages import visible_text
from tumours import services
from tumours.editorial import EditorialEvent
from tumours.models import Tumour, add_months


def due_in(days: int, **kwargs) -> Tumour:
    return TumourFactory(next_review_due=timezone.localdate() + datetime.timedelta(days=days), **kwargs)


@pytest.mark.parametrize(
    ("reviewed", "due"),
    [
        (datetime.date(2026, 11, 29), datetime.date(2027, 11, 29)),
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (datetime.date(2026, 1, 31), datetime.date(2027, 1, 31)),
    ],
)
def test_next_review_defaults_to_twelve_months_after_the_review(db, reviewed, due):
    assert TumourFactory(last_reviewed_on=reviewed).next_review_due == due
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def test_an_explicit_next_review_date_is_kept(db):
    tumour = TumourFactory(last_reviewed_on=datetime.date(2026, 11, 29), next_review_due=datetime.date(2027, 5, 1))
    assert tumour.next_review_due == datetime.date(2027, 5, 1)


def test_public_page_ends_with_the_review_record(client, db):
    tumour = TumourFactory(
        last_reviewed_on=datetime.date(2026, 11, 29), reviewed_by="Dr Helen Marsh, Consultant Medical Oncologist"
    )
    SectionFactory(tumour=tumour)
    text = visible_text(client.get(tumour.get_absolute_url()).content.decode())
    line = "Page last reviewed: 29 November 2026 · Next review due: 29 November 2027"
    assert line in text
    assert "Reviewed by Dr Helen Marsh, Consultant Medical Oncologist" in text
    assert text.index("Sources" if "Sources" in text else line) <= text.index(line)


def approve_change(tumour, editor, reviewer, **approval):
    services.save_draft(tumour=tumour, by=editor, fields={"summary": f"Revised {timezone.now().timestamp()}."})
    services.submit_for_review(tumour=tumour, by=editor)
    services.approve(tumour=tumour, by=reviewer, **approval)
    tumour.refresh_from_db()
    return tumour


def test_approval_records_a_clinical_review_today_with_the_approvers_profile(live, editor, second_reviewer):
    today = timezone.localdate()
    live.last_reviewed_on, live.next_review_due = datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)
    live.save()
    approve_change(live, editor, second_reviewer)
    assert live.last_reviewed_on == today
    assert live.next_review_due == add_months(today, 12)
    assert live.reviewed_by == "Dr Amir Patel, Consultant Pathologist"
    assert live.reviewer == second_reviewer


def test_a_reviewer_may_choose_an_earlier_next_review(live, editor, reviewer):
    soon = timezone.localdate() + datetime.timedelta(days=90)
    assert approve_change(live, editor, reviewer, next_review_due=soon).next_review_due == soon


def test_a_next_review_that_is_not_after_today_is_refused(live, editor, reviewer):
    services.save_draft(tumour=live, by=editor, fields={"summary": "Revised."})
    services.submit_for_review(tumour=live, by=editor)
    with pytest.raises(ValidationError) as refused:
        services.approve(tumour=live, by=reviewer, next_review_due=timezone.localdate())
    assert refused.value.message_dict == {"next_review_due": ["The next review must be after today."]}


def test_an_approval_that_is_not_a_clinical_review_keeps_the_review_record(live, editor, second_reviewer):
    before = (live.last_reviewed_on, live.next_review_due, live.reviewed_by, live.reviewer)
    approve_change(live, editor, second_reviewer, clinical_review=False)
    assert (live.last_reviewed_on, live.next_review_due, live.reviewed_by, live.reviewer) == before
    assert live.summary.startswith("Revised")
    approval = EditorialEvent.objects.of(live).filter(kind="approved").first()
    assert "not a clinical review" in approval.comment
    assert live.live_revision.clinical_review is False


def test_reviewed_by_cannot_be_typed_by_an_editor(live, editor_client, editor):
    data = change_form(editor_client, live)
    assert "reviewed_by" not in data and "last_reviewed_on" not in data
    data.update(summary="Edited.", reviewed_by="Dr Nobody, Professor of Everything")
    editor_client.post(reverse("admin:tumours_tumour_change", args=[live.pk]), data)
    live.refresh_from_db()
    assert live.reviewed_by == "Dr Helen Marsh, Consultant Medical Oncologist"
    assert "reviewed_by" not in services.draft_of(live).revision.content["fields"]


def test_review_due_view_lists_overdue_first_then_due_soon(editor_client, db):
    due_in(20, name="Soon")
    due_in(-3, name="Late")
    due_in(-40, name="Very late")
    due_in(90, name="Fine")
    TumourFactory(name="Never reviewed", next_review_due=None)
    TumourFactory(name="Unreviewed draft", status="draft", published_at=None, next_review_due=None)
    response = editor_client.get(reverse("admin:tumours_tumour_review_due"))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    order = [text.index(name) for name in ("Overdue", "Never reviewed", "Very late", "Late", "Due within", "Soon")]
    assert order == sorted(order)
    assert "Fine" not in text
    assert "Unreviewed draft" not in text


def test_review_filter_on_the_changelist(editor_client, db):
    due_in(-1, name="Late")
    due_in(10, name="Soon")
    due_in(200, name="Fine")
    url = reverse("admin:tumours_tumour_changelist")
    overdue = visible_text(editor_client.get(url, {"review": "overdue"}).content.decode())
    soon = visible_text(editor_client.get(url, {"review": "soon"}).content.decode())
    assert "Late" in overdue and "Soon" not in overdue and "Fine" not in overdue
    assert "Soon" in soon and "Late" not in soon and "Fine" not in soon
    assert reverse("admin:tumours_tumour_review_due") in editor_client.get(url).content.decode()


def test_sales_cannot_open_review_due(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("admin:tumours_tumour_review_due")).status_code == 403


def test_send_review_reminders_mails_the_reviewers_group(reviewer, editor, db):
    UserFactory(username="gone", email="gone@oncosite.invalid", is_active=False, groups=["Clinical reviewers"])
    due_in(5, name="Soon")
    due_in(-2, name="Late")
    due_in(100, name="Fine")
    call_command("send_review_reminders")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["helen@oncosite.invalid"]
    assert "2 pages due for clinical review" in message.subject
    assert "Soon" in message.body and "Late" in message.body and "overdue since" in message.body
    assert "Fine" not in message.body
    assert "/admin/tumours/tumour/review-due/" in message.body


def test_send_review_reminders_sends_nothing_when_nothing_is_due(reviewer, db):
    due_in(100)
    call_command("send_review_reminders")
    assert mail.outbox == []


def test_review_due_view_queries_do_not_grow_with_pages(editor_client, django_assert_max_num_queries, db):
    for days in range(-10, 20):
        due_in(days)
    with django_assert_max_num_queries(8):
        assert editor_client.get(reverse("admin:tumours_tumour_review_due")).status_code == 200
