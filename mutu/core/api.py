"""What every app's API router shares: token authentication, the 4xx answer, the permission check.
The API itself is assembled from the apps' routers in `config/api.py`."""

from typing import Any

from ninja import Schema
from ninja.errors import HttpError
from ninja.responses import codes_4xx
from ninja.security import HttpBearer

from mutu.accounts.permissions import has_perm
from mutu.accounts.tokens import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


# ninja's codes_4xx leaves out 422, which it answers for parameters that fail validation.
ERRORS = frozenset(codes_4xx | {422})


class ErrorOut(Schema):
    """401, 403, 404, or 422 (then `detail` lists the invalid parameters)."""

    detail: Any


def require(request, perm):
    if not has_perm(request.user, perm):
        raise HttpError(403, "Forbidden")
