"""The sales team: the one queryset for who may own requests, be assigned them and receive the digest."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from oncosite.roles import SALES_TEAM


def in_sales_team() -> Q:
    """Who may own a request: active members of the Sales team group (also the owner field's limit_choices_to)."""
    return Q(groups__name=SALES_TEAM, is_active=True)


def sales_team():
    """Active members of the Sales team group, by name."""
    return get_user_model().objects.filter(in_sales_team()).distinct().order_by("first_name", "last_name", "username")


def is_sales_member(user) -> bool:
    return user.is_authenticated and sales_team().filter(pk=user.pk).exists()


def display_name(user) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()
