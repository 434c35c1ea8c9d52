from django.conf import settings


class UserLanguageMiddleware:
    """A signed-in person's preferred language wins unless they chose one in this browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            lang = None
            if user is not None and user.is_authenticated:
                lang = user.preferred_language
            if lang:
                request.META["HTTP_ACCEPT_LANGUAGE"] = lang
        return self.get_response(request)


class CurrentAdministrationMiddleware:
    """Remembers the administration of the staff URL being visited (for the switcher)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.admin_slug = view_kwargs.get("admin_slug")
        return None
