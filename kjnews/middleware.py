from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class CookieLanguageMiddleware:
    """Japanese for every reader unless they chose another language with the switcher.

    Unlike LocaleMiddleware this ignores Accept-Language: a Japanese news site should not change its
    interface with the browser's settings, and pages that vary only on one cookie cache far better.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        # The language cookie picks the page's language, so a shared cache must key on it.
        patch_vary_headers(response, ["Cookie"])
        return response
