"""What every app's API router shares: token authentication, the 4xx answer, the permission check.
The API itself is assembled from the apps' routers in `config/api.py`."""

from typing import Any

from ninja import Schema
from ninja.errors import HttpError
from ninja.responses import codes_4xx
from ninja.security import HttpBearer, SessionAuth

from mutu.accounts.permissions import has_perm
from mutu.accounts.tokens import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    """The browser session, once it passed the second factor where one is owed: a password alone
    never opens the API for an account that must pass one."""

    def authenticate(self, request, key):
        from mutu.accounts.two_factor import required_for

        user = super().authenticate(request, key)
        if user is not None and not request.user.is_verified() and required_for(request):
            return None
        return user


# ninja's codes_4xx leaves out 422, which it answers for parameters that fail validation.
ERRORS = frozenset(codes_4xx | {422})


class ErrorOut(Schema):
    """401, 403, 404, or 422 (then `detail` lists the invalid parameters)."""

    detail: Any


def require(request, perm):
    if not has_perm(request.user, perm):
        raise HttpError(403, "Forbidden")
