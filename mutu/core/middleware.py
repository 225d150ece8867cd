from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from .audit import SECRET_FIELD


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


class MethodNotAllowedPageMiddleware:
    """A page instead of Django's empty 405 body, which browsers show as their own English error (a
    respondent reopening the address of a form they sent, for instance)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


class RefuseNulMiddleware:
    """A NUL byte in the path or a parameter is refused with 400 before any view: PostgreSQL cannot
    store one in text and would answer a query with an error (a 500) instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        params = request.GET.lists() if request.method in ("GET", "HEAD") else [*request.GET.lists(), *_form(request)]
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values) for key, values in params):
            message = _("The address or the form holds a NUL character; send it without one.")
            if request.path.startswith("/api/"):  # the API speaks JSON, errors included
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def _form(request):
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return []  # JSON bodies are checked by the API's schemas
    return request.POST.lists()  # form fields only; uploaded files are checked by what reads them


class KeepTypedMiddleware:
    """A form that fails never eats what was typed. Views answer a refused form by redirecting back to
    the page with an error message; when that happens, the posted fields (not files, not passwords)
    wait in the session and the next page puts them back into the form posted to the same address
    (`typed` context, static/js/mutu.js), marked as not saved yet."""

    LIMIT = 20_000  # characters kept; a larger post is not kept

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and response.status_code == 302 and self._refused(request):
            data = {
                name: request.POST.getlist(name)
                for name in request.POST
                if name != "csrfmiddlewaretoken" and not SECRET_FIELD.search(name)
            }
            if sum(len(v) for values in data.values() for v in values) <= self.LIMIT:
                request.session["typed"] = {"action": request.path, "data": data}
        return response

    @staticmethod
    def _refused(request):
        from django.contrib.messages import ERROR

        storage = getattr(request, "_messages", None)
        return any(message.level == ERROR for message in getattr(storage, "_queued_messages", ()))
