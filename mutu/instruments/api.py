"""The API's instruments (mounted at /api/instruments by mutu/core/api.py): published ones, and the
drafts of the caller's own scopes."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from mutu.accounts.permissions import Perm
from mutu.core.api import ERRORS, ErrorOut, require

from .selectors import visible_versions
from .services import export_instrument

router = Router(tags=["instruments"])


class InstrumentOut(Schema):
    code: str
    name: str
    sample: bool
    frozen: bool
    published: bool


@router.get("", response={200: list[InstrumentOut], ERRORS: ErrorOut})
def instruments(request):
    require(request, Perm.ROUND_VIEW)
    return [
        InstrumentOut(code=v.code, name=v.name, sample=v.is_sample, frozen=v.frozen, published=v.published)
        for v in visible_versions(request.user).order_by("code")
    ]


@router.get("/{code}", response={200: dict[str, Any], ERRORS: ErrorOut})
def instrument(request, code: str):
    """The whole instrument in the exchange format that `load_instrument` reads."""
    require(request, Perm.ROUND_VIEW)
    return export_instrument(get_object_or_404(visible_versions(request.user), code=code))
