from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """Indonesian unless the user chose another language with the switch.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many phones in
    Indonesia are set to English, and Mutu's users expect the Indonesian of their forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
