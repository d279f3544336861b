from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from tumours.editorial import Draft
from tumours.models import PUBLISH_PERMISSION, Tumour
from tumours.services import CHANGE_PERMISSION

register = template.Library()


@register.inclusion_tag("admin/tumours/includes/queue.html", takes_context=True)
def editorial_queue(context):
    """The admin index's panel: drafts awaiting review for reviewers, and each editor's own drafts."""
    user = context["request"].user
    drafts = (
        Draft.objects.filter(content_type=ContentType.objects.get_for_model(Tumour))
        .select_related("submitted_by", "updated_by")
        .prefetch_related("page")
    )
    awaiting = []
    if user.has_perm(PUBLISH_PERMISSION):
        awaiting = drafts.filter(state=Draft.State.IN_REVIEW).order_by("submitted_at", "pk")
    mine = []
    if user.has_perm(CHANGE_PERMISSION):
        mine = drafts.filter(Q(updated_by=user) | Q(submitted_by=user)).order_by("-updated_at")[:20]
    return {
        "awaiting": awaiting,
        "mine": mine,
        "user": user,
        "show": bool(awaiting or mine) or user.has_perm(PUBLISH_PERMISSION),
    }
