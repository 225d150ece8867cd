"""Loading, checking and exporting whole instruments.

The exchange format is one document (YAML, or the XLSX that LPMP staff edit), shaped as:

    code, name, description, sample
    bands: [{name, upper, color}]                     # ordered; the last has no upper
    nodes: [{code, text, description, risk, causes, evidence, target, source, weights: {ks: .4, ...},
             children: [...]}]                        # standards → indicators → sub-indicators
    questionnaires: [{respondent_type, level, title,
                      questions: [{code, kind, text, options: [{code, text, sub, weight}]}]}]
                      # a number question's options are ranges: {code, text, min, max, sub, weight},
                      # min ≤ answer < max (max omitted: no upper end), without gaps or overlaps
"""

import logging
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml
from defusedxml import DefusedXmlException
from django.db import transaction
from django.utils.translation import gettext as _

from mutu.core import jobs, uploads
from mutu.core.files import FileRefused, load_yaml, unreadable_reason
from mutu.core.services import record_audit
from mutu.schools.models import Level

from . import schema
from .models import (
    InstrumentUpload,
    InstrumentVersion,
    LevelBand,
    Node,
    Option,
    Question,
    Questionnaire,
    RespondentType,
    RoleWeight,
)

logger = logging.getLogger(__name__)

KINDS = [Node.Kind.STANDARD, Node.Kind.INDICATOR, Node.Kind.SUBINDICATOR]
CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.MULTIPLE}
SCORED_KINDS = CHOICE_KINDS | {Question.Kind.NUMBER}  # text answers are exported, never scored
WEIGHT_TOLERANCE = 1e-6
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DEFAULT_NODES = Path(__file__).parent / "data" / "snp2019_nodes.yaml"
DEFAULT_WEIGHTS = {"ks": 0.4, "guru": 0.3, "siswa": 0.1, "komite": 0.2}
# Colours with at least 4.5:1 contrast on white (WCAG 2.1 AA), since level names are written in them.
DEFAULT_BANDS = [
    {"name": "Menuju SNP 1", "upper": 2.04, "color": "#b71c1c"},
    {"name": "Menuju SNP 2", "upper": 3.70, "color": "#c2410c"},
    {"name": "Menuju SNP 3", "upper": 5.06, "color": "#866300"},
    {"name": "Menuju SNP 4", "upper": 6.66, "color": "#4d7c0f"},
    {"name": "SNP", "upper": None, "color": "#1b5e20"},
]
SAMPLE_OPTIONS = [
    ("a", "Tidak pernah / tidak sesuai", 0.0),
    ("b", "Kadang-kadang / sebagian", 1 / 3),
    ("c", "Sering / sebagian besar", 2 / 3),
    ("d", "Selalu / sepenuhnya", 1.0),
]
SAMPLE_TITLES = {"ks": "Kepala Sekolah", "guru": "Guru", "siswa": "Siswa", "komite": "Komite Sekolah"}
SAMPLE_PROMPT = {
    "ks": "Sebagai kepala sekolah, sejauh mana di sekolah Anda: {text}?",
    "guru": "Sebagai guru, sejauh mana di sekolah Anda: {text}?",
    "siswa": "Menurut pengalamanmu di sekolah, sejauh mana: {text}?",
    "komite": "Menurut Bapak/Ibu sebagai komite sekolah, sejauh mana: {text}?",
}


class InstrumentError(Exception):
    """The document has problems; `problems` lists them as (place, message)."""

    def __init__(self, problems):
        super().__init__("; ".join(f"{place}: {message}" for place, message in problems))
        self.problems = problems


def _walk(nodes, depth=0, parent=None):
    for node in nodes or []:
        yield depth, parent, node
        yield from _walk(node.get("children"), depth + 1, node.get("code"))


def check(doc):
    """(normalised document, problems): its shape first (schema.py), then its meaning (`_meaning`)."""
    normalised, problems = schema.parse(doc)
    if problems:
        return None, problems
    return normalised, _meaning(normalised)


def validate(doc):
    """Every problem in an instrument document, as [(place, message)]; empty when it can be loaded."""
    return check(doc)[1]


def _meaning(doc):
    problems = []
    if not doc.get("code") or not doc.get("name"):
        problems.append(("instrumen", _("The instrument needs a code and a name.")))
    elif not isinstance(doc["code"], str) or not SLUG.fullmatch(doc["code"]):
        # The code names the version in URLs (/instruments/<code>/…): anything else breaks every page.
        problems.append(
            (
                "instrumen",
                _("The code must be 1–40 lowercase letters, digits or hyphens (e.g. snp2019-riau), not “%(code)s”.")
                % {"code": str(doc["code"])[:60]},
            )
        )
    elif not isinstance(doc["name"], str) or len(doc["name"]) > 150:
        problems.append(("instrumen", _("The name must be a text of at most 150 characters.")))
    codes, subs = set(), {}
    for depth, _parent, node in _walk(doc.get("nodes")):
        code = str(node.get("code", ""))
        place = _("node %(code)s") % {"code": code or "?"}
        if not code or not node.get("text"):
            problems.append((place, _("A node needs a code and a text.")))
        if code in codes:
            problems.append((place, _("The code %(code)s is used twice.") % {"code": code}))
        codes.add(code)
        if depth > 2:
            problems.append((place, _("Nodes go three levels deep at most (standard, indicator, sub-indicator).")))
        if depth < 2 and not node.get("children"):
            problems.append((place, _("This standard or indicator has no sub-indicator.")))
        if depth == 2:
            subs[code] = node
            weights = node.get("weights") or {}
            if any(not 0 <= float(w) <= 1 for w in weights.values()):
                problems.append((place, _("Each role weight lies between 0 and 1.")))
            if node.get("source", "questionnaire") not in Node.Source.values:
                problems.append(
                    (
                        place,
                        _("Unknown source “%(source)s”: use questionnaire or external.") % {"source": node["source"]},
                    )
                )
            unknown = set(weights) - set(RespondentType.values)
            if unknown:
                problems.append(
                    (place, _("Unknown respondent type: %(types)s.") % {"types": ", ".join(sorted(unknown))})
                )
            if node.get("source", "questionnaire") == "questionnaire":
                total = sum(float(w) for w in weights.values())
                if abs(total - 1) > WEIGHT_TOLERANCE:
                    problems.append(
                        (place, _("The role weights add up to %(total)s, not 1.") % {"total": round(total, 4)})
                    )
    if len([1 for depth, *_ in _walk(doc.get("nodes")) if depth == 0]) == 0:
        problems.append(("instrumen", _("The instrument has no standard.")))
    problems.extend(_validate_bands(doc.get("bands") or []))
    seen_questionnaires = set()
    for questionnaire in doc.get("questionnaires") or []:
        rtype, level = questionnaire.get("respondent_type"), questionnaire.get("level")
        qplace = _("questionnaire %(type)s/%(level)s") % {"type": rtype, "level": level}
        if rtype not in RespondentType.values or level not in Level.values:
            problems.append((qplace, _("Unknown respondent type or level.")))
        if (rtype, level) in seen_questionnaires:
            problems.append((qplace, _("This questionnaire appears twice.")))
        seen_questionnaires.add((rtype, level))
        reach = defaultdict(float)  # sub-indicator → most a respondent can score on it
        question_codes = set()
        for question in questionnaire.get("questions") or []:
            place = f"{qplace}, " + _("question %(code)s") % {"code": question.get("code", "?")}
            if question.get("code") in question_codes:
                problems.append((place, _("The question code is used twice.")))
            question_codes.add(question.get("code"))
            kind = question.get("kind", "single")
            if kind not in Question.Kind.values:
                problems.append((place, _("Unknown question type “%(kind)s”.") % {"kind": kind}))
                continue
            option_codes = [str(o.get("code")) for o in question.get("options") or []]
            if len(option_codes) != len(set(option_codes)):
                problems.append((place, _("Two options of this question have the same code.")))
            if kind not in SCORED_KINDS:  # its options are stored, never scored: still within 0 and 1
                if any(not 0 <= float(o.get("weight", 0)) <= 1 for o in question.get("options") or []):
                    problems.append((place, _("The weight must lie between 0 and 1.")))
                continue
            options = question.get("options") or []
            if not options and kind in CHOICE_KINDS:
                problems.append((place, _("A choice question needs options.")))
            if kind == Question.Kind.NUMBER:
                problems.extend(_validate_ranges(place, options))
            best = defaultdict(float)
            for option in options:
                sub = option.get("sub")
                oplace = f"{place}, " + _("option %(code)s") % {"code": option.get("code", "?")}
                if sub is None:
                    problems.append((oplace, _("The option has no conversion to a sub-indicator.")))
                    continue
                if str(sub) not in subs:
                    problems.append((oplace, _("Unknown sub-indicator code %(code)s.") % {"code": sub}))
                    continue
                if subs[str(sub)].get("source", "questionnaire") != "questionnaire":
                    problems.append(
                        (
                            oplace,
                            _("Sub-indicator %(code)s comes from outside data: no option may convert into it.")
                            % {"code": sub},
                        )
                    )
                    continue
                weight = float(option.get("weight", 0))
                if not 0 <= weight <= 1:
                    problems.append((oplace, _("The weight must lie between 0 and 1.")))
                if kind == Question.Kind.MULTIPLE:
                    best[str(sub)] += weight
                else:
                    best[str(sub)] = max(best[str(sub)], weight)
            if options and not any(option.get("sub") is not None for option in options):
                problems.append((place, _("The question converts to no sub-indicator.")))
            for sub, value in best.items():
                reach[sub] += value
        for sub, value in reach.items():
            if value > 1 + WEIGHT_TOLERANCE:
                problems.append(
                    (
                        qplace,
                        _("Sub-indicator %(code)s can reach %(value)s from this questionnaire; at most 1 is allowed.")
                        % {"code": sub, "value": round(value, 4)},
                    )
                )
    return problems


def _validate_ranges(place, options):
    """A number question's ranges: each with a lower end, in order, each ending where the next begins.
    A number question without ranges is allowed: its answers are exported, never scored."""
    problems = []
    if not options:
        return problems
    try:
        ranges = [
            (float(o["min"]), None if o.get("max") in (None, "") else float(o["max"]), o.get("code", "?"))
            for o in options
        ]
    except (KeyError, TypeError, ValueError):
        return [(place, _("Every range of a number question needs a number as its lower end (min)."))]
    ranges.sort(key=lambda r: r[0])
    for (low, high, code), following in zip(ranges, ranges[1:] + [None], strict=True):
        rplace = f"{place}, " + _("option %(code)s") % {"code": code}
        if high is not None and high <= low:
            problems.append((rplace, _("The range ends (max) before it begins (min).")))
        elif following is None:
            continue
        elif high is None or high > following[0]:
            problems.append((rplace, _("The range overlaps the range of option %(next)s.") % {"next": following[2]}))
        elif high < following[0]:
            problems.append((rplace, _("Between this range and option %(next)s lies a gap.") % {"next": following[2]}))
    return problems


def validation_warnings(doc):
    """What loads but deserves a look, as [(place, message)]: role weights on a sub-indicator that the
    role's questionnaire of some jenjang does not ask about (for that jenjang the role is left out)."""
    asked = defaultdict(set)
    for questionnaire in doc.get("questionnaires") or []:
        key = (questionnaire.get("respondent_type"), questionnaire.get("level"))
        for question in questionnaire.get("questions") or []:
            for option in question.get("options") or []:
                if option.get("sub") is not None:
                    asked[key].add(str(option["sub"]))
    levels = sorted({level for _rtype, level in asked})
    weighted = defaultdict(list)  # respondent type → sub-indicators it has a weight on
    for depth, _parent, node in _walk(doc.get("nodes")):
        if depth == 2:
            for rtype, weight in (node.get("weights") or {}).items():
                if float(weight or 0) > 0:
                    weighted[rtype].append(str(node.get("code")))
    warnings = []
    for rtype in RespondentType.values:
        for level in levels:
            missing = [code for code in weighted[rtype] if code not in asked[(rtype, level)]]
            if missing:
                shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
                warnings.append(
                    (
                        _("questionnaire %(type)s/%(level)s") % {"type": rtype, "level": level},
                        _(
                            "%(count)s sub-indicators weight this role but are not asked here (%(codes)s): "
                            "for %(level)s schools the role is left out of them."
                        )
                        % {"count": len(missing), "codes": shown, "level": level},
                    )
                )
    return warnings


def _validate_bands(bands):
    problems = []
    if not bands:
        return [("level", _("The instrument needs at least one level band."))]
    uppers = [band.get("upper") for band in bands]
    if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
        problems.append(("level", _("Only the last level band is open-ended.")))
    bounded = [u for u in uppers[:-1] if u is not None]
    if bounded != sorted(bounded) or len(set(bounded)) != len(bounded):
        problems.append(("level", _("Level bands must go up in order.")))
    return problems


def owner_name(province):
    return province.name if province else _("national (pusat)")


def load_instrument(doc, *, actor=None, province=None, publish=False):
    """Create (or replace, while unfrozen and owned by the same scope) the instrument version described
    by `doc`, owned by `province` (national when None); a replaced version is a draft again."""
    # The document is checked before the write transaction opens: on SQLite that transaction holds the
    # database's write lock, and checking a large document takes seconds.
    doc, problems = check(doc)
    with transaction.atomic():
        replaced = InstrumentVersion.objects.filter(code=doc and doc["code"], published=True).exists()
        version = _store(doc, problems, actor=actor, province=province, publish=publish)
    version.warnings = validation_warnings(doc)  # what loads but deserves a look
    if replaced and not version.published:
        version.warnings.insert(
            0,
            (
                "instrumen",
                _("This version was published: it is a draft again, seen only by its owners, until you publish it."),
            ),
        )
    return version


def _store(doc, problems, *, actor, province, publish):
    existing = InstrumentVersion.objects.select_related("province").filter(code=doc and doc["code"]).first()
    if existing and existing.province_id != (province.pk if province else None):
        # Whose it is, only when the uploader may see it: a draft's existence is its owners' business.
        visible = existing.published or actor is None
        problems.append(
            (
                "instrumen",
                _("The code %(code)s belongs to an instrument of %(owner)s: choose another code.")
                % {"code": existing.code, "owner": owner_name(existing.province)}
                if visible
                else _("The code %(code)s is taken: choose another code.") % {"code": existing.code},
            )
        )
    elif existing and existing.frozen:
        problems.append(
            (
                "instrumen",
                _("Version %(code)s is used by a round and frozen: load it under a new code.")
                % {"code": existing.code},
            )
        )
    if problems:
        raise InstrumentError(problems)
    if existing:
        existing.delete()
    version = InstrumentVersion.objects.create(
        code=doc["code"],
        name=doc["name"],
        description=doc.get("description", ""),
        is_sample=bool(doc.get("sample")),
        province=province,
        published=publish,
        created_by=actor,
    )
    by_code = {}
    position = 0
    weights = []
    for depth, parent, spec in _walk(doc["nodes"]):
        position += 1
        node = Node.objects.create(
            version=version,
            parent=by_code.get(parent),
            kind=KINDS[depth],
            code=str(spec["code"]),
            position=position,
            text=spec["text"],
            description=spec.get("description", ""),
            risk=spec.get("risk", ""),
            causes=spec.get("causes", ""),
            evidence=spec.get("evidence", ""),
            target=spec.get("target", ""),
            source=spec.get("source", Node.Source.QUESTIONNAIRE),
        )
        by_code[node.code] = node
        weights += [
            RoleWeight(node=node, respondent_type=t, weight=float(w)) for t, w in (spec.get("weights") or {}).items()
        ]
    RoleWeight.objects.bulk_create(weights)
    LevelBand.objects.bulk_create(
        [
            LevelBand(
                version=version, position=i, name=b["name"], upper=b.get("upper"), color=b.get("color", "#888888")
            )
            for i, b in enumerate(doc["bands"])
        ]
    )
    for spec in doc.get("questionnaires") or []:
        questionnaire = Questionnaire.objects.create(
            version=version,
            respondent_type=spec["respondent_type"],
            level=spec["level"],
            title=spec.get("title") or f"{spec['respondent_type']} {spec['level']}",
        )
        questions = Question.objects.bulk_create(
            [
                Question(
                    questionnaire=questionnaire,
                    code=q["code"],
                    position=i,
                    kind=q.get("kind", "single"),
                    text=q["text"],
                )
                for i, q in enumerate(spec.get("questions") or [])
            ]
        )
        Option.objects.bulk_create(
            [
                Option(
                    question=question,
                    code=o["code"],
                    position=j,
                    text=o["text"],
                    subindicator=by_code.get(str(o["sub"])) if o.get("sub") is not None else None,
                    weight=float(o.get("weight", 0)),
                    min_value=None if o.get("min") in (None, "") else float(o["min"]),
                    max_value=None if o.get("max") in (None, "") else float(o["max"]),
                )
                for question, q in zip(questions, spec.get("questions") or [], strict=True)
                for j, o in enumerate(q.get("options") or [])
            ]
        )
    record_audit(
        actor=actor,
        action="instrument.load",
        obj=version,
        changes={"nodes": len(by_code), "published": publish},
        province_id=province.pk if province else None,
    )
    return version


@transaction.atomic
def publish_version(*, actor, version):
    """Make a draft usable by rounds; publishing twice changes nothing."""
    version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
    if not version.published:
        version.published = True
        version.save(update_fields=["published"])
        record_audit(actor=actor, action="instrument.publish", obj=version, province_id=version.province_id)
    return version


def start_upload(*, actor, upload, province):
    """Store an uploaded instrument file and queue its reading; InstrumentError for a wrong size or type."""
    try:
        uploads.check_named(upload, {"yaml", "xlsx"})
    except uploads.UploadRefused as exc:
        raise InstrumentError([("berkas", str(exc))]) from exc
    job = InstrumentUpload(uploaded_by=actor, province=province, original_name=upload.name[:255])
    job.file.save(upload.name, upload, save=False)
    job.save()
    from .tasks import load_upload

    jobs.queue(job, load_upload)
    return job


def settle_upload(job):
    return jobs.settle(job)


def process_upload(upload_id):
    """Read, check and load one upload (in the worker; the file is parsed before the load's transaction).
    Whatever happens, the upload ends loaded or failed."""
    job = InstrumentUpload.objects.select_related("uploaded_by", "province").get(pk=upload_id)
    if job.state != InstrumentUpload.State.QUEUED:
        return
    try:
        doc = read_document(job.file.path)
        version = load_instrument(doc, actor=job.uploaded_by, province=job.province)
    except InstrumentError as exc:
        jobs.advance(job, "fail", "", [list(problem) for problem in exc.problems])
    except Exception:
        logger.exception("Instrument upload %s failed", job.pk)
        jobs.advance(job, "fail", _(jobs.UNEXPECTED))
    else:
        jobs.advance(job, "finish", version)


def export_instrument(version):
    """The document that `load_instrument` reads back into an identical version."""
    nodes = list(version.nodes.order_by("position"))
    weights = defaultdict(dict)
    for w in RoleWeight.objects.filter(node__version=version).order_by("respondent_type"):
        weights[w.node_id][w.respondent_type] = w.weight
    specs = {}
    roots = []
    for node in nodes:
        spec = {"code": node.code, "text": node.text}
        for field in ("description", "risk", "causes", "evidence", "target"):
            if getattr(node, field):
                spec[field] = getattr(node, field)
        if node.source != Node.Source.QUESTIONNAIRE:
            spec["source"] = node.source
        if weights.get(node.id):
            spec["weights"] = weights[node.id]
        specs[node.id] = spec
        if node.parent_id:
            specs[node.parent_id].setdefault("children", []).append(spec)
        else:
            roots.append(spec)
    codes = {node.id: node.code for node in nodes}
    options = defaultdict(list)
    for option in Option.objects.filter(question__questionnaire__version=version).order_by("question_id", "position"):
        spec = {"code": option.code, "text": option.text}
        if option.min_value is not None:
            spec["min"] = option.min_value
            if option.max_value is not None:
                spec["max"] = option.max_value
        options[option.question_id].append(spec | {"sub": codes.get(option.subindicator_id), "weight": option.weight})
    questions = defaultdict(list)
    for question in Question.objects.filter(questionnaire__version=version).order_by("questionnaire_id", "position"):
        spec = {"code": question.code, "kind": question.kind, "text": question.text}
        if question.kind in SCORED_KINDS and options[question.id]:
            spec["options"] = options[question.id]
        questions[question.questionnaire_id].append(spec)
    return {
        "code": version.code,
        "name": version.name,
        "description": version.description,
        "sample": version.is_sample,
        "bands": [{"name": b.name, "upper": b.upper, "color": b.color} for b in version.bands.order_by("position")],
        "nodes": roots,
        "questionnaires": [
            {"respondent_type": q.respondent_type, "level": q.level, "title": q.title, "questions": questions[q.id]}
            for q in version.questionnaires.order_by("level", "respondent_type")
        ],
    }


def read_document(path):
    """An instrument document from a .yaml or .xlsx file, within the limits of mutu/core/files.py."""
    from .spreadsheet import from_workbook

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".yaml", ".yml"}:
            with path.open(encoding="utf-8") as handle:
                doc = load_yaml(handle)
        elif suffix == ".xlsx":
            doc = from_workbook(path)  # within the limits of mutu/core/files.py too
        else:
            raise InstrumentError([("berkas", _("Use a .yaml or .xlsx file for instruments."))])
    except FileRefused as exc:
        raise InstrumentError([("berkas", str(exc))]) from exc
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile, ET.ParseError, DefusedXmlException) as exc:
        reason = unreadable_reason(exc, path)
        raise InstrumentError([("berkas", _("The file cannot be read: %(reason)s") % {"reason": reason})]) from exc
    if not isinstance(doc, dict):
        raise InstrumentError([("berkas", _("The file does not hold an instrument."))])
    return doc


def write_document(doc, path):
    from .spreadsheet import to_workbook

    if Path(path).suffix.lower() == ".xlsx":
        to_workbook(doc, path)
        return
    with Path(path).open("w", encoding="utf-8") as handle:
        yaml.safe_dump(doc, handle, allow_unicode=True, sort_keys=False, width=120)


def build_default_document():
    """ "SNP 2019 (contoh)": the known PMP tree plus a sample question per sub-indicator and respondent type."""
    with DEFAULT_NODES.open(encoding="utf-8") as handle:
        standards = yaml.safe_load(handle)
    nodes, subs = [], []
    for standard in standards:
        indicators = []
        for indicator in standard["indicators"]:
            entries = indicator.get("subs") or [{"text": indicator["text"], "sample": True}]
            children = []
            for n, entry in enumerate(entries, start=1):
                entry = {"text": entry} if isinstance(entry, str) else entry
                sub = {"code": entry.get("code", f"{indicator['code']}.{n}"), "text": entry["text"]}
                if entry.get("source") == "external":
                    sub["source"] = "external"
                else:
                    sub["weights"] = dict(DEFAULT_WEIGHTS)
                    subs.append(sub)
                children.append(sub)
            spec = {"code": indicator["code"], "text": indicator["text"], "children": children}
            if indicator.get("target"):
                spec["target"] = indicator["target"]
            indicators.append(spec)
        nodes.append({"code": standard["code"], "text": standard["text"], "children": indicators})
    questionnaires = [
        {
            "respondent_type": rtype,
            "level": level,
            "title": f"Kuesioner {SAMPLE_TITLES[rtype]} {level} (contoh)",
            "questions": [
                {
                    "code": f"Q{sub['code']}",
                    "kind": "single",
                    "text": SAMPLE_PROMPT[rtype].format(text=sub["text"][0].lower() + sub["text"][1:]),
                    "options": [
                        {"code": c, "text": t, "sub": sub["code"], "weight": round(w, 6)} for c, t, w in SAMPLE_OPTIONS
                    ],
                }
                for sub in subs
            ],
        }
        for level in Level.values
        for rtype in DEFAULT_WEIGHTS
    ]
    return {
        "code": "snp2019-contoh",
        "name": "SNP 2019 (contoh)",
        "description": "Contoh kuesioner yang ditulis untuk setiap sub-indikator; bukan bank soal resmi. "
        "Muat instrumen resmi melalui impor instrumen.",
        "sample": True,
        "bands": DEFAULT_BANDS,
        "nodes": nodes,
        "questionnaires": questionnaires,
    }
