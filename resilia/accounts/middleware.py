"""Language from the user's profile, then the browser; the second factor gate."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

# Session keys shared by the views and the middleware.
LANGUAGE_SESSION_KEY = "user_language"
SECOND_FACTOR_PENDING = "second_factor_pending"


class UserLanguageMiddleware:
    """Put the signed-in user's profile language in front of the browser's preference.

    Runs before LocaleMiddleware: it sets the language cookie value for this request only,
    so LocaleMiddleware picks it up; anonymous users fall through to cookie/Accept-Language.
    The login view and the profile/language views keep the session value in step with the
    profile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user_language = session.get(LANGUAGE_SESSION_KEY) if session is not None else None
        if user_language and translation.check_for_language(user_language):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = user_language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Send users with TOTP enabled to the code page until the session has passed it.

    Only the code page, logging out, switching language, static files and the health check
    stay reachable. API token requests carry no session, so they are not affected.
    """

    exempt_prefixes = ("/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SECOND_FACTOR_PENDING)
            and request.user.is_authenticated
            and not self._exempt(request.path)
        ):
            return redirect("accounts:second_factor")
        return self.get_response(request)

    def _exempt(self, path: str) -> bool:
        allowed = (
            reverse("accounts:second_factor"),
            reverse("accounts:logout"),
            reverse("accounts:set_language"),
        )
        if path in allowed or path.startswith(self.exempt_prefixes):
            return True
        return bool(settings.STATIC_URL) and path.startswith(settings.STATIC_URL)
