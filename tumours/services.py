"""The editorial rules for every page (tumour pages and test kit pages), and the only code that changes what the
public sees.

Every path (the admin, management commands, a restore, the demo loader, the shell) calls these functions. Each
takes the page as `tumour=` or `kit=` (one of them; the rules are the same, and what differs between the kinds
is described in tumours/page_kinds.py). Each raises PermissionDenied when the user may not act, and
ValidationError (with field messages where a field is at fault) when the page's content or its draft's state
does not allow it. What the public sees changes only in `_go_live` (an approval by a second person) and
`unpublish`.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from . import content as page_content
from . import emails
from .cache import drop_public_pages
from .editorial import Draft, EditorialEvent, PreviewLink, Revision
from .models import ReviewedPage, TestKit, Tumour, next_review_after
from .page_kinds import TUMOUR, kind_of
from .readability import page_grade

CHANGE_PERMISSION = "tumours.change_tumour"
ADD_PERMISSION = "tumours.add_tumour"
PREVIEW_LINK_DAYS = 7
PREVIEW_LINK_MAX_DAYS = 30
PREVIEW_SIGNING_SALT = "tumours.preview-link"


# Saving and submitting (editors).


def save_draft(
    *,
    tumour: Tumour | None = None,
    kit: TestKit | None = None,
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
    A kit page has sections and no sources.
    """
    page = _page(tumour, kit)
    kind = kind_of(page)
    _require(by, kind.add_permission if page.pk is None else kind.change_permission, f"You may not edit {kind.plural}.")
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is not None and not draft.is_editable:
            raise ValidationError(
                f"This draft is {draft.get_state_display().lower()}, so it cannot be changed. "
                "Withdraw it from review first.",
                code="locked",
            )
        if page.pk is not None and based_on is not None and based_on != edit_token(page, draft):
            raise ValidationError(_stale_message(page, draft), code="stale")
        current = draft.revision.content if draft else page_content.live_content(page)
        content = page_content.merged(current, fields=fields, kind=kind, sections=sections, sources=sources)
        if errors := page_content.validation_errors(content, page=page):
            raise ValidationError(errors)
        if draft is not None and content == current:
            return draft  # an untouched save records nothing
        as_rows = draft is None and content == current  # the rows' own content, as a draft
        if as_rows and page.is_public:
            return None
        return _write_draft(page, draft, content, by=by, comment=comment, as_rows=as_rows and page.pk is not None)


def _write_draft(page: ReviewedPage, draft: Draft | None, content: dict, *, by, comment: str, as_rows: bool) -> Draft:
    """Point the page's draft at a revision of `content`. A draft of a page that is not live, made from its rows
    unchanged (to bring it back), reuses the revision those rows came from instead of recording a copy."""
    now = timezone.now()
    created = page.pk is None
    if created or (kind_of(page).draft_names_unpublished_row and page.first_published_at is None):
        # A page that was never public takes its name and address from its draft (and keeps that address).
        page.name, page.slug = content["fields"]["name"], content["fields"]["slug"]
        page.save()
    revision = page.live_revision if as_rows else None
    if revision is None:
        revision = Revision.objects.create(page=page, content=content, created_by=by, comment=comment)
    if draft is None:
        draft = Draft(page=page, created_at=now)
    draft.revision, draft.updated_by, draft.updated_at = revision, by, now
    draft.save()
    if created:
        _record(page, EditorialEvent.Kind.CREATED, by=by, revision=revision)
    return draft


def submit_for_review(*, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser) -> Draft:
    page = _page(tumour, kit)
    _require(by, kind_of(page).change_permission, "You may not submit pages for review.")
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is None or not draft.is_editable:
            raise ValidationError("There is no draft to submit: make a change first.", code="state")
        _check_publishable(page, draft.revision.content)
        draft.state, draft.submitted_by, draft.submitted_at = Draft.State.IN_REVIEW, by, timezone.now()
        draft.review_comment, draft.review_comment_by = "", None
        draft.save()
        _record(page, EditorialEvent.Kind.SUBMITTED, by=by, revision=draft.revision)
        emails.submitted(page=page, draft=draft)
    return draft


def withdraw(*, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser) -> Draft:
    """Take a draft back from review (or out of its schedule) so that it can be changed again."""
    page = _page(tumour, kit)
    _require(by, kind_of(page).change_permission, "You may not withdraw drafts.")
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is None or draft.state not in (Draft.State.IN_REVIEW, Draft.State.SCHEDULED):
            raise ValidationError("This page has no draft awaiting review or scheduled.", code="state")
        _clear_approval(draft)
        draft.state = Draft.State.EDITING
        draft.save()
        _record(page, EditorialEvent.Kind.WITHDRAWN, by=by, revision=draft.revision)
    return draft


# Reviewing (clinical reviewers).


def approve(
    *,
    tumour: Tumour | None = None,
    kit: TestKit | None = None,
    by: AbstractBaseUser,
    go_live_at: datetime.datetime | None = None,
    clinical_review: bool = True,
    next_review_due: datetime.date | None = None,
) -> Draft | None:
    """Approve the draft under review: it goes live now, or at `go_live_at`. Returns the draft while it waits."""
    page = _page(tumour, kit)
    _require(by, kind_of(page).publish_permission, "Only clinical reviewers may approve a page.")
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is None or draft.state != Draft.State.IN_REVIEW:
            raise ValidationError("This page has no draft awaiting review.", code="state")
        self_approved = draft.updated_by_id == by.pk
        if self_approved and settings.EDITORIAL_FOUR_EYES:
            raise PermissionDenied(
                "You made the last change to this draft, so another clinical reviewer must approve it."
            )
        now = timezone.now()
        _check_publishable(page, draft.revision.content)
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
        _record(page, EditorialEvent.Kind.APPROVED, by=by, revision=draft.revision, comment=note, at=now)
        _end_preview_links(page, now)
        emails.approved(page=page, draft=draft)
        if draft.go_live_at <= now:
            _go_live(page, draft)
            return None
        # Pages cached until now were given no end before this time: drop them, so that none outlives it.
        transaction.on_commit(drop_public_pages, robust=True)
        transaction.on_commit(lambda: _schedule_go_live(draft))
    return draft


def request_changes(
    *, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser, comment: str
) -> Draft:
    page = _page(tumour, kit)
    _require(by, kind_of(page).publish_permission, "Only clinical reviewers may send a draft back.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what needs to change, so that the editor can fix it."})
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is None or draft.state != Draft.State.IN_REVIEW:
            raise ValidationError("This page has no draft awaiting review.", code="state")
        draft.state, draft.review_comment, draft.review_comment_by = Draft.State.CHANGES_REQUESTED, comment, by
        draft.save()
        _record(page, EditorialEvent.Kind.CHANGES_REQUESTED, by=by, revision=draft.revision, comment=comment)
        emails.changes_requested(page=page, draft=draft, by=by)
    return draft


def unpublish(
    *, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser, reason: str
) -> ReviewedPage:
    """Take a live page off the site (its draft, if any, stays). Always deliberate: a reason is required.

    A kit whose page is unpublished still shows its approved description in the kit box of tumour pages."""
    page = _page(tumour, kit)
    _require(by, kind_of(page).publish_permission, "Only clinical reviewers may unpublish a page.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the page is coming off the site; the reason is recorded."})
    with transaction.atomic():
        page, _ = _lock(page)
        if page.status != ReviewedPage.Status.PUBLISHED:
            raise ValidationError("This page is not published.", code="state")
        page.status = ReviewedPage.Status.DRAFT
        page.save(update_fields=["status", "updated_at"])
        _record(page, EditorialEvent.Kind.UNPUBLISHED, by=by, comment=reason)
    return page


def restore_version(
    *, tumour: Tumour | None = None, kit: TestKit | None = None, version_id: int, by: AbstractBaseUser
) -> Draft:
    """Make the draft the content of an earlier revision of this page. It goes live only through review."""
    page = _page(tumour, kit)
    kind = kind_of(page)
    try:
        revision = Revision.objects.of(page).get(pk=version_id)
    except (Revision.DoesNotExist, ValueError, TypeError):
        raise ValidationError("No such version of this page.", code="not_found") from None
    content = page_content.normalise(revision.content, kind)
    for name, (model, _) in kind.choices.items():
        existing = set(model.objects.filter(pk__in=content["fields"][name]).values_list("pk", flat=True))
        content["fields"][name] = sorted(existing)  # e.g. a kit deleted since cannot come back
    saved_on = date_format(timezone.localtime(revision.created_at), "j F Y, H:i:s")
    with transaction.atomic():
        draft = save_draft(
            **_as_keyword(page),
            by=by,
            fields=content["fields"],
            **{rows.key: content[rows.key] for rows in kind.rows},
            comment=f"Restored the version saved on {saved_on}.",
        )
        if draft is None:
            raise ValidationError("That version is the same as the live page: there is nothing to restore.")
        _record(page, EditorialEvent.Kind.RESTORED, by=by, revision=draft.revision, comment=saved_on)
    return draft


# Sharing a draft outside the company.


def create_preview_link(
    *, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser, days: int = PREVIEW_LINK_DAYS
) -> str:
    """A site path showing the page's current draft to anyone holding it, until it expires or is revoked."""
    page = _page(tumour, kit)
    _require(by, kind_of(page).publish_permission, "Only clinical reviewers may share a draft outside the company.")
    if not 1 <= days <= PREVIEW_LINK_MAX_DAYS:
        raise ValidationError({"days": f"A preview link lasts between 1 and {PREVIEW_LINK_MAX_DAYS} days."})
    with transaction.atomic():
        page, draft = _lock(page)
        if draft is None:
            raise ValidationError("This page has no draft to share.", code="state")
        token = secrets.token_urlsafe(32)
        expires = timezone.now() + datetime.timedelta(days=days)
        PreviewLink.objects.create(page=page, token_hash=_token_hash(token), created_by=by, expires_at=expires)
        _record(page, EditorialEvent.Kind.PREVIEW_LINK, by=by, comment=f"Expires {_when(expires)}.")
    return reverse("tumours:draft_preview", args=[signing.dumps(token, salt=PREVIEW_SIGNING_SALT)])


def revoke_preview_links(*, tumour: Tumour | None = None, kit: TestKit | None = None, by: AbstractBaseUser) -> int:
    page = _page(tumour, kit)
    _require(by, kind_of(page).publish_permission, "Only clinical reviewers may revoke preview links.")
    with transaction.atomic():
        page, _ = _lock(page)
        revoked = _end_preview_links(page, timezone.now())
        if revoked:
            _record(page, EditorialEvent.Kind.PREVIEW_LINKS_REVOKED, by=by, comment=f"{revoked} link(s).")
    return revoked


def page_for_preview_token(signed_token: str) -> tuple[ReviewedPage, Draft] | None:
    """The page and draft a preview link shows, or None if the link is forged, expired, revoked or spent."""
    try:
        token = signing.loads(signed_token, salt=PREVIEW_SIGNING_SALT)
    except signing.BadSignature:
        return None
    link = PreviewLink.objects.filter(token_hash=_token_hash(str(token))).first()
    if link is None or not link.is_active:
        return None
    page = _page_model(link.content_type_id).objects.filter(pk=link.object_id).first()
    draft = draft_of(page) if page else None
    return (page, draft) if draft else None


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
            model = _page_model(draft.content_type_id)
            _go_live(model.objects.select_for_update().get(pk=draft.object_id), draft)
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


def _go_live(page: ReviewedPage, draft: Draft) -> None:
    """Copy the approved draft onto the page's rows: the one moment the public page changes."""
    kind = kind_of(page)
    at = draft.go_live_at or timezone.now()
    content = page_content.normalise(draft.revision.content, kind)
    for name in kind.fields:
        setattr(page, name, content["fields"][name])
    page.status, page.published_at = ReviewedPage.Status.PUBLISHED, at
    page.first_published_at = page.first_published_at or at
    if draft.clinical_review:
        reviewed_on = timezone.localdate(draft.approved_at or at)
        page.last_reviewed_on = reviewed_on
        page.next_review_due = draft.next_review_due or next_review_after(reviewed_on)
        page.reviewer = draft.approved_by
        page.reviewed_by = _reviewer_name(draft.approved_by) or page.reviewed_by
    page.live_revision = draft.revision
    # The hardest text of the live page, for the page list's column and filter (tumours/readability.py).
    page.reading_grade = page_grade([content["fields"][kind.lead], *(row["body"] for row in content["sections"])])
    page.save()
    for name in kind.choices:
        getattr(page, name).set(content["fields"][name])
    for rows in kind.rows:
        _replace_rows(page, rows, content[rows.key])
    # The revision learns the ids of the rows its new sections and sources became, so that later versions
    # are compared row by row with it.
    Revision.objects.filter(pk=draft.revision_id).update(went_live_at=at, content=page_content.live_content(page))
    draft.delete()
    _record(page, EditorialEvent.Kind.WENT_LIVE, by=draft.approved_by, revision=draft.revision, at=at)


def _replace_rows(page: ReviewedPage, spec, rows: list[dict]) -> None:
    # Only this page's own rows can be updated: an id from another page's rows makes a new row here.
    own = spec.model.objects.filter(**{spec.parent: page})
    existing = {row.pk: row for row in own}
    kept = set()
    for position, values in enumerate(rows, start=1):
        row = existing.get(values["id"]) or spec.model(**{spec.parent: page})
        for name, value in page_content.row_values(values, spec.fields).items():
            setattr(row, name, value)
        row.position = position
        row.save()
        kept.add(row.pk)
    own.exclude(pk__in=kept).delete()


# Reading the state of a page, for the admin and the views.


def draft_of(page: ReviewedPage) -> Draft | None:
    if page.pk is None:
        return None
    return Draft.objects.of(page).select_related("revision").first()


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


def edit_token(page: ReviewedPage, draft: Draft | None) -> str:
    """What an editor's form was opened on: a later change to the draft or the live page makes it stale."""
    if draft is not None:
        return f"draft:{draft.revision_id}"
    return f"live:{page.updated_at.isoformat()}" if page.pk else "new"


def publication_problems(content: dict, kind=TUMOUR) -> dict[str, str]:
    """What a page's content lacks before the public may see it, keyed by the field to fix."""
    return kind.publication_problems(content)


def _check_publishable(page: ReviewedPage, content: dict) -> None:
    errors = page_content.validation_errors(content, page=page)
    for field, message in publication_problems(content, kind_of(page)).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    if page.is_public and content == page_content.live_content(page):
        raise ValidationError("This draft is the same as the live page: there is nothing to review.", code="same")


def evidence_problems(content: dict) -> list[str]:
    """What a clinician would want cited and is not: the sections that cite none of the page's sources (a page
    with a source list: a tumour page; a kit page has none)."""
    if "sources" not in content:
        return []
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


def _end_preview_links(page: ReviewedPage, at: datetime.datetime) -> int:
    return PreviewLink.objects.of(page).filter(revoked_at__isnull=True, expires_at__gt=at).update(revoked_at=at)


def _reviewer_name(user) -> str:
    try:
        return user.reviewer_profile.public_name if user else ""
    except ObjectDoesNotExist:
        return ""


def _lock(page: ReviewedPage) -> tuple[ReviewedPage, Draft | None]:
    """The page's row, locked for the rest of the transaction (so two actions on one page queue), and its draft."""
    if page.pk is None:
        return page, None
    locked = type(page).objects.select_for_update().get(pk=page.pk)
    return locked, draft_of(locked)


def _page(tumour: Tumour | None, kit: TestKit | None) -> ReviewedPage:
    """The one page a service was given, as tumour= or kit=."""
    if (tumour is None) == (kit is None):
        raise TypeError("Give the page as tumour= or as kit=, one of the two.")
    page = tumour if tumour is not None else kit
    if not isinstance(page, Tumour if tumour is not None else TestKit):
        raise TypeError(f"{type(page).__name__} given as {'tumour' if tumour is not None else 'kit'}=.")
    return page


def _as_keyword(page: ReviewedPage) -> dict[str, ReviewedPage]:
    return {"kit": page} if isinstance(page, TestKit) else {"tumour": page}


def _page_model(content_type_id: int) -> type[models.Model]:
    # ContentType's own cache: no query after the first.
    return ContentType.objects.get_for_id(content_type_id).model_class()


def _require(user: AbstractBaseUser, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def _record(page: ReviewedPage, kind: str, *, by, revision=None, comment: str = "", at=None) -> EditorialEvent:
    return EditorialEvent.objects.create(
        page=page, kind=kind, by=by, revision=revision, comment=comment, at=at or timezone.now()
    )


def _stale_message(page: ReviewedPage, draft: Draft | None) -> str:
    if draft is not None:
        who, when = _name(draft.updated_by), draft.updated_at
    else:
        event = EditorialEvent.objects.of(page).select_related("by").first()
        who, when = _name(event.by if event else None), page.updated_at
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
