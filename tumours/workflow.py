"""Who may move a tumour page between draft, review and publication, and the record of each move."""

from django.contrib.auth.models import AbstractBaseUser

from .models import PUBLISH_PERMISSION, StatusChange, Tumour


def can_publish(user: AbstractBaseUser) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def can_edit(user: AbstractBaseUser, tumour: Tumour | None) -> bool:
    # A live (or scheduled) page is clinically signed off: only a reviewer may change what goes out.
    if tumour is None or tumour.pk is None or tumour.status != Tumour.Status.PUBLISHED:
        return True
    return can_publish(user)


def transition_error(*, old: str | None, new: str, user: AbstractBaseUser) -> str | None:
    """Why this user may not move a page from `old` to `new` (None: allowed). `old` is None for a new page."""
    labels = dict(Tumour.Status.choices)
    if old == new:
        return None
    if old is None:
        if new == Tumour.Status.PUBLISHED:
            return "A new page starts as Draft or In review; a clinical reviewer publishes it after review."
        return None
    if new not in Tumour.TRANSITIONS[old]:
        allowed = " or ".join(labels[s] for s in sorted(Tumour.TRANSITIONS[old]))
        return f"A page that is {labels[old]} can only move to {allowed}."
    if Tumour.Status.PUBLISHED in (old, new) and not can_publish(user):
        verb = "publish" if new == Tumour.Status.PUBLISHED else "unpublish"
        return f"Only clinical reviewers can {verb} a page. Submit it for review (status “In review”) instead."
    return None


def record_status_change(*, tumour: Tumour, old: str | None, user: AbstractBaseUser | None) -> StatusChange | None:
    if old == tumour.status:
        return None
    return StatusChange.objects.create(tumour=tumour, from_status=old or "", to_status=tumour.status, changed_by=user)
