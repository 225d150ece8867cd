"""The shape of an instrument document, checked before its meaning (pydantic).

A document from YAML or XLSX can hold anything: a list where a text belongs, a mapping as a code, a
code longer than its column. `parse(doc)` returns the document with codes as texts and numbers as
floats, or the problems as (place, reason) in the user's language, so the checks of `services.validate`
and the loader only ever see the types they expect. Lengths follow the database columns.
"""

from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

TEXT_LIMIT = 20_000  # description, risk, question texts…: far above any real one


def _as_text(value):
    """Codes written as numbers (1, 2.1 in YAML or a spreadsheet cell) are codes too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _blank_is_none(value):
    return None if value == "" else value


def Text(max_length=TEXT_LIMIT, min_length=0):  # noqa: N802 — used like a type
    return Annotated[str, BeforeValidator(_as_text), Field(min_length=min_length, max_length=max_length)]


def _not_bool(value):
    """A TRUE/FALSE cell is not a number (pydantic would read it as 1 or 0)."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    return value


Number = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
OptionalNumber = Annotated[Number | None, BeforeValidator(_blank_is_none)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class NodeSpec(_Spec):
    code: Text(20, 1)
    text: Text(min_length=1)
    description: Text() = ""
    risk: Text() = ""
    causes: Text() = ""
    evidence: Text() = ""
    target: Text(255) = ""
    source: Text(15) = "questionnaire"
    weights: dict[Text(10), Number] | None = None
    children: list["NodeSpec"] | None = None


class OptionSpec(_Spec):
    code: Text(10, 1)
    text: Text(500)
    sub: Annotated[Text(20) | None, BeforeValidator(_blank_is_none)] = None
    weight: Number = 0.0
    min: OptionalNumber = None
    max: OptionalNumber = None


class QuestionSpec(_Spec):
    code: Text(30, 1)
    kind: Text(10) = "single"
    text: Text(min_length=1)
    options: list[OptionSpec] | None = None


class QuestionnaireSpec(_Spec):
    respondent_type: Text(10)
    level: Text(3)
    title: Text(200) = ""
    questions: list[QuestionSpec] | None = None


class BandSpec(_Spec):
    name: Text(60, 1)
    upper: OptionalNumber = None
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#888888"


class InstrumentSpec(_Spec):
    code: Text(60) = ""  # the slug rule (at most 40) is checked with its own message
    name: Text(150) = ""
    description: Text() = ""
    sample: bool = False
    bands: list[BandSpec] | None = None
    nodes: list[NodeSpec] | None = None
    questionnaires: list[QuestionnaireSpec] | None = None


PARTS = {"nodes": "node", "children": "anak", "questionnaires": "kuesioner", "questions": "pertanyaan"}
PARTS |= {"options": "opsi", "bands": "level", "weights": "bobot"}


def _place(doc, loc):
    """A readable place for a pydantic location: the spreadsheet row when the document came from
    XLSX (from_workbook marks each item with `_row`), else the path ("node 2 › anak 1 › code")."""
    words, item, row = [], doc, None
    for step in loc:
        if isinstance(step, int):
            words[-1:] = [f"{words[-1]} {step + 1}"] if words else [str(step + 1)]
        else:
            words.append(PARTS.get(step, step))
        try:
            item = item[step]
        except (KeyError, IndexError, TypeError):
            item = None
        if isinstance(item, dict) and item.get("_row"):
            row = item["_row"]
    path = " › ".join(words) or _("document")
    return f"{row} ({path})" if row else path


def _reason(error):
    kind, ctx = error["type"], error.get("ctx") or {}
    reasons = {
        "missing": _("This field is required."),
        "string_type": _("Must be a text."),
        "string_too_short": _("Must not be empty."),
        "list_type": _("Must be a list."),
        "dict_type": _("Must be a mapping (key: value)."),
        "model_type": _("Must be a mapping (key: value)."),
        "model_attributes_type": _("Must be a mapping (key: value)."),
        "float_type": _("Must be a number."),
        "float_parsing": _("Must be a number."),
        "finite_number": _("Must be a finite number."),
        "bool_type": _("Must be yes or no (true/false)."),
        "bool_parsing": _("Must be yes or no (true/false)."),
        "string_pattern_mismatch": _("Must be a colour written as #rrggbb."),
        "value_error": _("Must be a number."),
    }
    if kind in {"string_too_long", "too_long"}:
        return _("Longer than %(max)s characters.") % {"max": ctx.get("max_length")}
    return reasons.get(kind, _("Not a valid value."))


UNION_TAGS = ("str", "float", "constrained-str", "function-")  # pydantic's names for a union's members


def parse(doc: Any):
    """(normalised document, []) or (None, [(place, reason), …]) — at most 200 problems listed."""
    if not isinstance(doc, dict):
        return None, [(_("file"), _("The file does not hold an instrument."))]
    try:
        spec = InstrumentSpec.model_validate(doc)
    except ValidationError as exc:
        # A problem inside a union (code as text or number) is reported once, at its field.
        seen, problems = set(), []
        for error in exc.errors(include_url=False):
            loc = tuple(
                step for step in error["loc"] if not (isinstance(step, str) and step.startswith(("str", "float")))
            )
            if loc in seen:
                continue
            seen.add(loc)
            problems.append((_place(doc, loc), _reason(error)))
        return None, problems[:200]
    return spec.model_dump(exclude_none=True), []
