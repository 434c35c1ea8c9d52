from django.core.exceptions import SuspiciousOperation

from insieme.core.access import administrations_for


def insieme(request):
    """Navigation context: the administrations this person works in, for the switcher.

    Worked out once per request: a page that renders panels with `render_to_string(...,
    request=request)` runs the context processors again for each, and this one reads the
    database."""
    user = getattr(request, "user", None)
    who = getattr(user, "pk", None)
    cached = getattr(request, "_insieme_navigation", None)
    if cached is not None and cached[0] == who:  # the same person (not one just signed in)
        return cached[1]
    staff_admins = []
    if user is not None and user.is_authenticated:
        staff_admins = list(administrations_for(user).only("name", "slug", "kind").order_by("name"))
    context = {
        "staff_administrations": staff_admins,
        "current_admin_slug": getattr(request, "admin_slug", None),
        "brand": public_brand(request),
    }
    request._insieme_navigation = (who, context)
    return context


def public_brand(request):
    """The brand of the administration whose public page this is (its URL names it, or the
    catalogue is filtered to it); None on staff, account and cross-administration pages."""
    from insieme.core.branding import brand_of
    from insieme.core.models import Administration

    match = getattr(request, "resolver_match", None)
    if match is None or request.path_info.startswith(("/staff/", "/accounts/", "/api/")):
        return None
    slug = match.kwargs.get("admin_slug")
    if slug is None and match.url_name == "catalogue":
        try:
            slug = request.GET.get("administration")
        except SuspiciousOperation:  # too many fields: the 400 page shows no brand
            return None
    if not slug or not isinstance(slug, str):
        return None
    admin = Administration.objects.filter(slug=slug).first()
    return brand_of(admin) if admin is not None else None
