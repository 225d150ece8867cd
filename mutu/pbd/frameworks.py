"""The Rapor Pendidikan indicator framework as versioned data: one document per year (YAML or
XLSX), checked whole before anything is written, loaded again in place (codes are the key).

Document: year, name, source, labels [{code, name, color}], indicators [{code, name, levels,
main, thresholds}] with codes like A.1 and A.1.1 (a sub-indicator's parent is the code before its
last part). XLSX: a sheet "kerangka" (key, value) and a sheet "indikator" with those columns.
"""

import re
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from mutu.core.files import FileRefused, load_yaml, open_workbook, sheet_rows

from .models import Capaian, Framework, Indicator

SHIPPED = sorted((Path(__file__).parent / "data").glob("rapor_pendidikan_*.yaml"))
CODE = re.compile(r"(?:PAUD\.)?([A-E])\.\d{1,2}(?:\.\d{1,2})?")
LEVELS = {"PAUD", "SD", "SMP", "SMA", "SMK", "SLB"}
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
MAX_INDICATORS = 500


class FrameworkError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(f"{place}: {reason}" for place, reason in problems))
        self.problems = problems


def read(path):
    """The framework document of a .yaml or .xlsx file (within the upload limits)."""
    path = Path(path)
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            with path.open(encoding="utf-8") as handle:
                return load_yaml(handle)
        if path.suffix.lower() == ".xlsx":
            return _from_workbook(path)
    except FileRefused as exc:
        raise FrameworkError([(path.name, str(exc))]) from exc
    raise FrameworkError([(path.name, _("Use a .yaml or .xlsx file for an indicator framework."))])


def _from_workbook(path):
    book = open_workbook(path)
    if "kerangka" not in book.sheetnames or "indikator" not in book.sheetnames:
        raise FrameworkError([(path.name, _('The workbook needs the sheets "kerangka" and "indikator".'))])
    doc = {str(key).strip(): value for key, value, *_rest in sheet_rows(book["kerangka"]) if key}
    rows = list(sheet_rows(book["indikator"]))
    header = [str(cell or "").strip().lower() for cell in rows[0]] if rows else []
    doc["indicators"] = []
    for values in rows[1:]:
        item = {name: value for name, value in zip(header, values, strict=False) if name}
        if not any(item.values()):
            continue
        item["levels"] = [level.strip() for level in str(item.get("levels") or "").split(",") if level.strip()]
        item["main"] = str(item.get("main") or "").strip().lower() in {"1", "ya", "yes", "true"}
        item["thresholds"] = {k: item.pop(k) for k in ("baik", "sedang") if item.get(k) not in (None, "")}
        doc["indicators"].append(item)
    doc.setdefault("labels", [{"code": c.value, "name": c.label, "color": color} for c, color in DEFAULT_COLORS])
    return doc


DEFAULT_COLORS = [(Capaian.BAIK, "#2e7d32"), (Capaian.SEDANG, "#f9a825"), (Capaian.KURANG, "#c62828")]


def check(doc):
    """Problems of a framework document as [(place, reason)]; empty when it can be loaded."""
    problems = []
    if not isinstance(doc, dict):
        return [("kerangka", _("The file does not hold an indicator framework."))]
    year = doc.get("year")
    if not isinstance(year, int) or not 2015 <= year <= 2100:
        problems.append(("year", _("Give the year as a number, e.g. 2025.")))
    if not str(doc.get("name") or "").strip():
        problems.append(("name", _("Give the framework a name.")))
    labels = doc.get("labels") or []
    if [label.get("code") for label in labels if isinstance(label, dict)] != list(Capaian.values):
        problems.append(("labels", _("The labels are baik, sedang and kurang, in that order.")))
    for label in labels:
        if isinstance(label, dict) and not COLOR.fullmatch(str(label.get("color", ""))):
            problems.append(("labels", _("Colour %(color)s is not #rrggbb.") % {"color": label.get("color")}))
    indicators = doc.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        return problems + [("indicators", _("The framework lists no indicator."))]
    if len(indicators) > MAX_INDICATORS:
        return problems + [("indicators", _("At most %(limit)s indicators.") % {"limit": MAX_INDICATORS})]
    seen = set()
    for number, item in enumerate(indicators, start=1):
        place = _("indicator %(number)s") % {"number": number}
        if not isinstance(item, dict):
            problems.append((place, _("Each indicator is a set of fields (code, name, levels).")))
            continue
        code = str(item.get("code") or "").strip()
        if not CODE.fullmatch(code):
            problems.append((place, _("Code %(code)s is not like A.1 or A.1.1.") % {"code": code or "—"}))
            continue
        place = code
        if code in seen:
            problems.append((place, _("This code is listed twice.")))
        parent = parent_code(code)
        if parent and parent not in seen:
            problems.append((place, _("Its indicator %(parent)s must come before it.") % {"parent": parent}))
        seen.add(code)
        if not str(item.get("name") or "").strip():
            problems.append((place, _("The indicator has no name.")))
        levels = item.get("levels") or []
        if not levels or not set(levels) <= LEVELS:
            problems.append((place, _("Levels must be among %(levels)s.") % {"levels": ", ".join(sorted(LEVELS))}))
        thresholds = item.get("thresholds") or {}
        if thresholds:
            try:
                baik, sedang = float(thresholds["baik"]), float(thresholds["sedang"])
            except (KeyError, TypeError, ValueError):
                problems.append((place, _("Thresholds are two numbers, baik and sedang.")))
            else:
                if not 0 <= sedang < baik <= 100:
                    problems.append((place, _("Thresholds must hold 0 ≤ sedang < baik ≤ 100.")))
    return problems


def parent_code(code):
    """A.1.1 → A.1; A.1 → None (PAUD.D.1.2 → PAUD.D.1)."""
    head, _sep, tail = code.rpartition(".")
    return head if tail.isdigit() and CODE.fullmatch(head) else None


@transaction.atomic
def load(doc):
    """Load (or load again) one year's framework; returns it. Indicators no longer listed are kept
    when schools hold achievements on them, as a year's imports point at them."""
    problems = check(doc)
    if problems:
        raise FrameworkError(problems)
    framework, _created = Framework.objects.update_or_create(
        year=doc["year"],
        defaults={"name": doc["name"].strip(), "source": str(doc.get("source") or "")[:300], "labels": doc["labels"]},
    )
    by_code = {}
    for position, item in enumerate(doc["indicators"]):
        code = item["code"].strip()
        by_code[code], _created = Indicator.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={
                "parent": by_code.get(parent_code(code)),
                "dimension": CODE.fullmatch(code).group(1),
                "name": item["name"].strip()[:200],
                "levels": list(item["levels"]),
                "main": bool(item.get("main")),
                "thresholds": {k: float(v) for k, v in (item.get("thresholds") or {}).items()},
                "position": position,
            },
        )
    framework.indicators.exclude(code__in=by_code).filter(achievements__isnull=True).delete()
    return framework


def load_shipped(**_kwargs):
    """post_migrate: every shipped year not yet in the database (a loaded year is the operator's)."""
    present = set(Framework.objects.values_list("year", flat=True))
    for path in SHIPPED:
        doc = read(path)
        if doc["year"] not in present:
            load(doc)
