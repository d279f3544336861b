from .team import is_sales_member


def can_see_personal_data(user) -> bool:
    """Only the Sales team and superusers see requesters' details, whatever other permissions a user holds."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_orders_in_sales_team"):
        # Cached on the user object: the admin asks many times per page.
        user._orders_in_sales_team = is_sales_member(user)
    return user._orders_in_sales_team
