from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from tumours.editorial import Draft
from tumours.models import Tumour
from tumours.page_kinds import KINDS, kind_of

register = template.Library()


@register.inclusion_tag("admin/tumours/includes/queue.html", takes_context=True)
def editorial_queue(context):
    """The admin index's panel: drafts awaiting review for reviewers, and each editor's own drafts, of every kind
    of page the user may approve or edit."""
    user = context["request"].user
    reviews = [kind for kind in KINDS.values() if user.has_perm(kind.publish_permission)]
    edits = [kind for kind in KINDS.values() if user.has_perm(kind.change_permission)]
    drafts = Draft.objects.select_related("submitted_by", "updated_by").prefetch_related("page")
    awaiting = []
    if reviews:
        awaiting = drafts.filter(state=Draft.State.IN_REVIEW, content_type__in=_types(reviews))
        awaiting = _entries(awaiting.order_by("submitted_at", "pk"))
    mine = []
    if edits:
        mine = drafts.filter(Q(updated_by=user) | Q(submitted_by=user), content_type__in=_types(edits))
        mine = _entries(mine.order_by("-updated_at")[:20])
    return {"awaiting": awaiting, "mine": mine, "user": user, "show": bool(awaiting or mine or reviews)}


def _types(kinds) -> list[ContentType]:
    return list(ContentType.objects.get_for_models(*(kind.model for kind in kinds)).values())


def _entries(drafts) -> list[dict]:
    entries = []
    for draft in drafts:
        if draft.page is None:
            continue  # its page was deleted since the list was read
        kind = kind_of(draft.page)
        entries.append(
            {
                "draft": draft,
                "name": draft.page.name,
                # Most drafts are tumour pages: only the others say what they are.
                "kind": "" if kind.model is Tumour else f"{kind.model._meta.verbose_name} page",
                "review_url": reverse(kind.admin_url_name("review"), args=[draft.object_id]),
                "change_url": reverse(kind.admin_url_name("change"), args=[draft.object_id]),
            }
        )
    return entries
