"""The editorial rules for tumour pages, and the only code that changes what the public sees.

Every path (the admin, management commands, a restore, the demo loader, the shell) calls these functions.
Each raises PermissionDenied when the user may not act, and ValidationError (with field messages where a
field is at fault) when the page's content or its draft's state does not allow it. What the public sees
changes only in `_go_live` (an approval by a second person) and `unpublish`.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from . import content as page_content
from . import emails
from .cache import drop_public_pages
from .editorial import Draft, EditorialEvent, PreviewLink, Revision
from .models import PUBLISH_PERMISSION, Section, Source, TestKit, Tumour, next_review_after
from .readability import page_grade

CHANGE_PERMISSION = "tumours.change_tumour"
ADD_PERMISSION = "tumours.add_tumour"
PREVIEW_LINK_DAYS = 7
PREVIEW_LINK_MAX_DAYS = 30
PREVIEW_SIGNING_SALT = "tumours.preview-link"


# Saving and submitting (editors).


def save_draft(
    *,
    tumour: Tumour,
    by: AbstractBaseUser,
    fields: dict | None = None,
    sections: list[dict] | None = None,
    sources: list[dict] | None = None,
    based_on: str | None = None,
    comment: str = "",
) -> Draft | None:
    """Change the page's draft (made from the live content if it has none); the live page is untouched.

    `based_on` is the edit_token() the editor's form was opened with: a draft changed since is not overwritten.
    Returns the draft, or None when nothing differs from the live page and there is no draft to change.
    """
    _require(by, ADD_PERMISSION if tumour.pk is None else CHANGE_PERMISSION, "You may not edit tumour pages.")
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is not None and not draft.is_editable:
            raise ValidationError(
                f"This draft is {draft.get_state_display().lower()}, so it cannot be changed. "
                "Withdraw it from review first.",
                code="locked",
            )
        if tumour.pk is not None and based_on is not None and based_on != edit_token(tumour, draft):
            raise ValidationError(_stale_message(tumour, draft), code="stale")
        current = draft.revision.content if draft else page_content.live_content(tumour)
        content = page_content.merged(current, fields=fields, sections=sections, sources=sources)
        if errors := page_content.validation_errors(content, page=tumour):
            raise ValidationError(errors)
        if draft is not None and content == current:
            return draft  # an untouched save records nothing
        if draft is None and content == current and tumour.is_public:
            return None
        return _write_draft(tumour, draft, content, by=by, comment=comment)


def _write_draft(tumour: Tumour, draft: Draft | None, content: dict, *, by, comment: str) -> Draft:
    now = timezone.now()
    created = tumour.pk is None
    if created or tumour.first_published_at is None:
        # A page that was never public takes its name and address from its draft (and keeps that address).
        tumour.name, tumour.slug = content["fields"]["name"], content["fields"]["slug"]
        tumour.save()
    unchanged = draft is None and not created and content == page_content.live_content(tumour)
    revision = tumour.live_revision if unchanged and tumour.live_revision else None
    if revision is None:
        revision = Revision.objects.create(page=tumour, content=content, created_by=by, comment=comment)
    if draft is None:
        draft = Draft(page=tumour, created_at=now)
    draft.revision, draft.updated_by, draft.updated_at = revision, by, now
    draft.save()
    if created:
        _record(tumour, EditorialEvent.Kind.CREATED, by=by, revision=revision)
    return draft


def submit_for_review(*, tumour: Tumour, by: AbstractBaseUser) -> Draft:
    _require(by, CHANGE_PERMISSION, "You may not submit pages for review.")
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is None or not draft.is_editable:
            raise ValidationError("There is no draft to submit: make a change first.", code="state")
        _check_publishable(tumour, draft.revision.content)
        draft.state, draft.submitted_by, draft.submitted_at = Draft.State.IN_REVIEW, by, timezone.now()
        draft.review_comment, draft.review_comment_by = "", None
        draft.save()
        _record(tumour, EditorialEvent.Kind.SUBMITTED, by=by, revision=draft.revision)
        emails.submitted(tumour=tumour, draft=draft)
    return draft


def withdraw(*, tumour: Tumour, by: AbstractBaseUser) -> Draft:
    """Take a draft back from review (or out of its schedule) so that it can be changed again."""
    _require(by, CHANGE_PERMISSION, "You may not withdraw drafts.")
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is None or draft.state not in (Draft.State.IN_REVIEW, Draft.State.SCHEDULED):
            raise ValidationError("This page has no draft awaiting review or scheduled.", code="state")
        _clear_approval(draft)
        draft.state = Draft.State.EDITING
        draft.save()
        _record(tumour, EditorialEvent.Kind.WITHDRAWN, by=by, revision=draft.revision)
    return draft


# Reviewing (clinical reviewers).


def approve(
    *,
    tumour: Tumour,
    by: AbstractBaseUser,
    go_live_at: datetime.datetime | None = None,
    clinical_review: bool = True,
    next_review_due: datetime.date | None = None,
) -> Draft | None:
    """Approve the draft under review: it goes live now, or at `go_live_at`. Returns the draft while it waits."""
    _require(by, PUBLISH_PERMISSION, "Only clinical reviewers may approve a page.")
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is None or draft.state != Draft.State.IN_REVIEW:
            raise ValidationError("This page has no draft awaiting review.", code="state")
        self_approved = draft.updated_by_id == by.pk
        if self_approved and settings.EDITORIAL_FOUR_EYES:
            raise PermissionDenied(
                "You made the last change to this draft, so another clinical reviewer must approve it."
            )
        now = timezone.now()
        _check_publishable(tumour, draft.revision.content)
        _check_evidence(draft.revision.content)
        _check_approval(by=by, clinical_review=clinical_review, next_review_due=next_review_due, now=now)
        draft.state, draft.approved_by, draft.approved_at = Draft.State.SCHEDULED, by, now
        draft.go_live_at = max(go_live_at or now, now)
        draft.clinical_review, draft.next_review_due = clinical_review, next_review_due
        draft.save()
        Revision.objects.filter(pk=draft.revision_id).update(
            approved_at=now, approved_by=by, clinical_review=clinical_review, self_approved=self_approved
        )
        note = _approval_note(draft)
        _record(tumour, EditorialEvent.Kind.APPROVED, by=by, revision=draft.revision, comment=note, at=now)
        _end_preview_links(tumour, now)
        emails.approved(tumour=tumour, draft=draft)
        if draft.go_live_at <= now:
            _go_live(tumour, draft)
            return None
        # Pages cached until now were given no end before this time: drop them, so that none outlives it.
        transaction.on_commit(drop_public_pages, robust=True)
        transaction.on_commit(lambda: _schedule_go_live(draft))
    return draft


def request_changes(*, tumour: Tumour, by: AbstractBaseUser, comment: str) -> Draft:
    _require(by, PUBLISH_PERMISSION, "Only clinical reviewers may send a draft back.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what needs to change, so that the editor can fix it."})
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is None or draft.state != Draft.State.IN_REVIEW:
            raise ValidationError("This page has no draft awaiting review.", code="state")
        draft.state, draft.review_comment, draft.review_comment_by = Draft.State.CHANGES_REQUESTED, comment, by
        draft.save()
        _record(tumour, EditorialEvent.Kind.CHANGES_REQUESTED, by=by, revision=draft.revision, comment=comment)
        emails.changes_requested(tumour=tumour, draft=draft, by=by)
    return draft


def unpublish(*, tumour: Tumour, by: AbstractBaseUser, reason: str) -> Tumour:
    """Take a live page off the site (its draft, if any, stays). Always deliberate: a reason is required."""
    _require(by, PUBLISH_PERMISSION, "Only clinical reviewers may unpublish a page.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the page is coming off the site; the reason is recorded."})
    with transaction.atomic():
        tumour, _ = _lock(tumour)
        if tumour.status != Tumour.Status.PUBLISHED:
            raise ValidationError("This page is not published.", code="state")
        tumour.status = Tumour.Status.DRAFT
        tumour.save(update_fields=["status", "updated_at"])
        _record(tumour, EditorialEvent.Kind.UNPUBLISHED, by=by, comment=reason)
    return tumour


def restore_version(*, tumour: Tumour, version_id: int, by: AbstractBaseUser) -> Draft:
    """Make the draft the content of an earlier revision of this page. It goes live only through review."""
    try:
        revision = Revision.objects.of(tumour).get(pk=version_id)
    except (Revision.DoesNotExist, ValueError, TypeError):
        raise ValidationError("No such version of this page.", code="not_found") from None
    content = page_content.normalise(revision.content)
    kits = set(TestKit.objects.filter(pk__in=content["fields"]["test_kits"]).values_list("pk", flat=True))
    content["fields"]["test_kits"] = sorted(kits)  # a kit deleted since cannot come back
    saved_on = date_format(timezone.localtime(revision.created_at), "j F Y, H:i:s")
    with transaction.atomic():
        draft = save_draft(
            tumour=tumour,
            by=by,
            fields=content["fields"],
            sections=content["sections"],
            sources=content["sources"],
            comment=f"Restored the version saved on {saved_on}.",
        )
        if draft is None:
            raise ValidationError("That version is the same as the live page: there is nothing to restore.")
        _record(tumour, EditorialEvent.Kind.RESTORED, by=by, revision=draft.revision, comment=saved_on)
    return draft


# Sharing a draft outside the company.


def create_preview_link(*, tumour: Tumour, by: AbstractBaseUser, days: int = PREVIEW_LINK_DAYS) -> str:
    """A site path showing the page's current draft to anyone holding it, until it expires or is revoked."""
    _require(by, PUBLISH_PERMISSION, "Only clinical reviewers may share a draft outside the company.")
    if not 1 <= days <= PREVIEW_LINK_MAX_DAYS:
        raise ValidationError({"days": f"A preview link lasts between 1 and {PREVIEW_LINK_MAX_DAYS} days."})
    with transaction.atomic():
        tumour, draft = _lock(tumour)
        if draft is None:
            raise ValidationError("This page has no draft to share.", code="state")
        token = secrets.token_urlsafe(32)
        expires = timezone.now() + datetime.timedelta(days=days)
        PreviewLink.objects.create(page=tumour, token_hash=_token_hash(token), created_by=by, expires_at=expires)
        _record(tumour, EditorialEvent.Kind.PREVIEW_LINK, by=by, comment=f"Expires {_when(expires)}.")
    return reverse("tumours:draft_preview", args=[signing.dumps(token, salt=PREVIEW_SIGNING_SALT)])


def revoke_preview_links(*, tumour: Tumour, by: AbstractBaseUser) -> int:
    _require(by, PUBLISH_PERMISSION, "Only clinical reviewers may revoke preview links.")
    with transaction.atomic():
        tumour, _ = _lock(tumour)
        revoked = _end_preview_links(tumour, timezone.now())
        if revoked:
            _record(tumour, EditorialEvent.Kind.PREVIEW_LINKS_REVOKED, by=by, comment=f"{revoked} link(s).")
    return revoked


def page_for_preview_token(signed_token: str) -> tuple[Tumour, Draft] | None:
    """The page and draft a preview link shows, or None if the link is forged, expired, revoked or spent."""
    try:
        token = signing.loads(signed_token, salt=PREVIEW_SIGNING_SALT)
    except signing.BadSignature:
        return None
    link = PreviewLink.objects.filter(token_hash=_token_hash(str(token))).first()
    if link is None or not link.is_active:
        return None
    tumour = Tumour.objects.filter(pk=link.object_id).first()
    draft = draft_of(tumour) if tumour else None
    return (tumour, draft) if draft else None


# Scheduled changes: applied by the worker at their time, and by whichever request first needs them.


def publish_due_changes(*, now: datetime.datetime | None = None) -> int:
    """Put live every approved draft whose time has come. Safe to run anywhere, any number of times at once."""
    now = now or timezone.now()
    applied = 0
    due = Draft.objects.filter(state=Draft.State.SCHEDULED, go_live_at__lte=now).values_list("pk", flat=True)
    for draft_id in list(due):
        with transaction.atomic():
            draft = (
                Draft.objects.select_for_update(skip_locked=True)
                .filter(pk=draft_id, state=Draft.State.SCHEDULED, go_live_at__lte=now)
                .select_related("revision")
                .first()
            )
            if draft is None:
                continue  # another server or the worker has it
            _go_live(Tumour.objects.select_for_update().get(pk=draft.object_id), draft)
            applied += 1
    return applied


def next_scheduled_change() -> datetime.datetime | None:
    """Put live whatever is due (rarely anything), and say when the next scheduled change is: one query."""
    upcoming = Draft.objects.filter(state=Draft.State.SCHEDULED).aggregate(next=Min("go_live_at"))["next"]
    if upcoming is not None and upcoming <= timezone.now():
        publish_due_changes()
        return next_scheduled_change()
    return upcoming


def _schedule_go_live(draft: Draft) -> None:
    from .tasks import publish_scheduled_changes

    # The immediate backend (development) cannot wait: there the first request after the time applies it.
    if publish_scheduled_changes.get_backend().supports_defer:
        publish_scheduled_changes.using(run_after=draft.go_live_at).enqueue()


def _go_live(tumour: Tumour, draft: Draft) -> None:
    """Copy the approved draft onto the page's rows: the one moment the public page changes."""
    at = draft.go_live_at or timezone.now()
    content = draft.revision.content
    for name in Tumour.CONTENT_FIELDS:
        setattr(tumour, name, content["fields"][name])
    tumour.status, tumour.published_at = Tumour.Status.PUBLISHED, at
    tumour.first_published_at = tumour.first_published_at or at
    if draft.clinical_review:
        reviewed_on = timezone.localdate(draft.approved_at or at)
        tumour.last_reviewed_on = reviewed_on
        tumour.next_review_due = draft.next_review_due or next_review_after(reviewed_on)
        tumour.reviewer = draft.approved_by
        tumour.reviewed_by = _reviewer_name(draft.approved_by) or tumour.reviewed_by
    tumour.live_revision = draft.revision
    tumour.reading_grade = page_grade([content["fields"]["summary"], *(row["body"] for row in content["sections"])])
    tumour.save()
    tumour.test_kits.set(content["fields"]["test_kits"])
    _replace_rows(tumour, Section, content["sections"], page_content.SECTION_FIELDS)
    _replace_rows(tumour, Source, content["sources"], page_content.SOURCE_FIELDS)
    # The revision learns the ids of the rows its new sections and sources became, so that later versions
    # are compared row by row with it.
    Revision.objects.filter(pk=draft.revision_id).update(went_live_at=at, content=page_content.live_content(tumour))
    draft.delete()
    _record(tumour, EditorialEvent.Kind.WENT_LIVE, by=draft.approved_by, revision=draft.revision, at=at)


def _replace_rows(tumour: Tumour, model, rows: list[dict], names: tuple[str, ...]) -> None:
    existing = {row.pk: row for row in model.objects.filter(tumour=tumour)}
    kept = set()
    for position, values in enumerate(rows, start=1):
        row = existing.get(values["id"]) or model(tumour=tumour)
        for name, value in page_content.row_values(values, names).items():
            setattr(row, name, value)
        row.position = position
        row.save()
        kept.add(row.pk)
    model.objects.filter(tumour=tumour).exclude(pk__in=kept).delete()


# Reading the state of a page, for the admin and the views.


def draft_of(tumour: Tumour) -> Draft | None:
    if tumour.pk is None:
        return None
    return Draft.objects.of(tumour).select_related("revision").first()


def state_label(*, is_live: bool, draft_state: str | None, go_live_at: datetime.datetime | None = None) -> str:
    """Where a page stands, in the words the admin uses everywhere: "Live · Awaiting review", "Not published"."""
    parts = ["Live" if is_live else "Not published"]
    if draft_state == Draft.State.SCHEDULED and go_live_at:
        parts.append(f"Scheduled for {date_format(timezone.localtime(go_live_at), 'j F Y, H:i')}")
    elif draft_state == Draft.State.EDITING and not is_live:
        parts.append("Draft")
    elif draft_state:
        parts.append(Draft.State(draft_state).label)
    return " · ".join(parts)


def edit_token(tumour: Tumour, draft: Draft | None) -> str:
    """What an editor's form was opened on: a later change to the draft or the live page makes it stale."""
    if draft is not None:
        return f"draft:{draft.revision_id}"
    return f"live:{tumour.updated_at.isoformat()}" if tumour.pk else "new"


def publication_problems(content: dict) -> dict[str, str]:
    """What a page's content lacks before the public may see it, keyed by the field to fix."""
    problems = {}
    if not content["fields"]["summary"].strip():
        problems["summary"] = "A published page needs a summary."
    if not content["sections"]:
        problems["sections"] = "A published page needs at least one section."
    if not content["sources"]:
        problems["sources"] = "A published page needs at least one source."
    return problems


def _check_publishable(tumour: Tumour, content: dict) -> None:
    errors = page_content.validation_errors(content, page=tumour)
    for field, message in publication_problems(content).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    if tumour.is_public and content == page_content.live_content(tumour):
        raise ValidationError("This draft is the same as the live page: there is nothing to review.", code="same")


def evidence_problems(content: dict) -> list[str]:
    """What a clinician would want cited and is not: the sections that cite none of the page's sources."""
    if uncited := page_content.uncited_sections(content):
        return [
            "Every section should cite the source that supports it ([@key] after the statement). "
            f"{'This section cites' if len(uncited) == 1 else 'These sections cite'} none: {', '.join(uncited)}."
        ]
    return []


def _check_evidence(content: dict) -> None:
    # EDITORIAL_REQUIRE_CITATIONS off: the same problems are only a warning on the review screen.
    if settings.EDITORIAL_REQUIRE_CITATIONS and (problems := evidence_problems(content)):
        raise ValidationError({"sections": problems})


def _check_approval(*, by, clinical_review: bool, next_review_due, now) -> None:
    if clinical_review and not _reviewer_name(by):
        raise ValidationError(
            "Your account has no reviewer profile, so the page could not say who reviewed it. "
            "Ask a superuser to add your display name and role.",
            code="no_profile",
        )
    if next_review_due is not None and next_review_due <= timezone.localdate(now):
        raise ValidationError({"next_review_due": "The next review must be after today."})


def _approval_note(draft: Draft) -> str:
    notes = []
    if draft.go_live_at > draft.approved_at:
        notes.append(f"to go live {_when(draft.go_live_at)}")
    if not draft.clinical_review:
        notes.append("not a clinical review: the review record is unchanged")
    if draft.updated_by_id == draft.approved_by_id:
        notes.append("self-approved by the last editor (four eyes is off)")
    return "; ".join(notes)


def _clear_approval(draft: Draft) -> None:
    draft.go_live_at = draft.approved_at = draft.approved_by = draft.next_review_due = None
    draft.clinical_review = True
    Revision.objects.filter(pk=draft.revision_id).update(
        approved_at=None, approved_by=None, clinical_review=None, self_approved=False
    )
    draft.revision.refresh_from_db()


def _end_preview_links(tumour: Tumour, at: datetime.datetime) -> int:
    return PreviewLink.objects.of(tumour).filter(revoked_at__isnull=True, expires_at__gt=at).update(revoked_at=at)


def _reviewer_name(user) -> str:
    try:
        return user.reviewer_profile.public_name if user else ""
    except ObjectDoesNotExist:
        return ""


def _lock(tumour: Tumour) -> tuple[Tumour, Draft | None]:
    """The page's row, locked for the rest of the transaction (so two actions on one page queue), and its draft."""
    if tumour.pk is None:
        return tumour, None
    locked = Tumour.objects.select_for_update().get(pk=tumour.pk)
    return locked, draft_of(locked)


def _require(user: AbstractBaseUser, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def _record(tumour: Tumour, kind: str, *, by, revision=None, comment: str = "", at=None) -> EditorialEvent:
    return EditorialEvent.objects.create(
        page=tumour, kind=kind, by=by, revision=revision, comment=comment, at=at or timezone.now()
    )


def _stale_message(tumour: Tumour, draft: Draft | None) -> str:
    if draft is not None:
        who, when = _name(draft.updated_by), draft.updated_at
    else:
        event = EditorialEvent.objects.of(tumour).select_related("by").first()
        who, when = _name(event.by if event else None), tumour.updated_at
    return (
        f"This page was changed by {who} on {_when(when)}, after you opened it, so your changes were not saved. "
        "They are still in this form: copy them, open the page again to see the current text, and apply them there."
    )


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "another editor"


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i:s")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
