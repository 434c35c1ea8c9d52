from insieme.core.access import administrations_for


def insieme(request):
    """Navigation context: the administrations this person works in, for the switcher."""
    user = getattr(request, "user", None)
    staff_admins = []
    if user is not None and user.is_authenticated:
        staff_admins = list(administrations_for(user).only("name", "slug", "kind").order_by("name"))
    return {
        "staff_administrations": staff_admins,
        "current_admin_slug": getattr(request, "admin_slug", None),
    }
