"""The instrument as an XLSX workbook LPMP staff can edit: one sheet per part, one row per item.

Sheets: instrumen (key/value), node (one row per standard/indicator/sub-indicator with its parent and
role weights), pertanyaan (one row per answer option, question fields repeated), level (bands).
`to_workbook(doc)` and `from_workbook(path)` convert to and from the document `load_instrument` reads.
"""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from mutu.core.files import open_workbook, sheet_rows

from .models import RespondentType

NODE_FIELDS = ["code", "parent", "text", "description", "risk", "causes", "evidence", "target", "source"]
WEIGHT_COLUMNS = [f"w_{t}" for t in RespondentType.values]
QUESTION_FIELDS = [
    "respondent_type",
    "level",
    "title",
    "question",
    "kind",
    "text",
    "option",
    "option_text",
    "sub",
    "weight",
    "min",
    "max",
]
BAND_FIELDS = ["name", "upper", "color"]


def _walk(nodes, parent=""):
    for node in nodes:
        yield parent, node
        yield from _walk(node.get("children") or [], node["code"])


def _cells(sheet, values):
    """A row whose texts stay texts: openpyxl would store a string starting with "=" as a formula."""
    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def to_workbook(doc, path):
    workbook = Workbook(write_only=True)
    meta = workbook.create_sheet("instrumen")
    for key in ("code", "name", "description", "sample"):
        meta.append(_cells(meta, [key, doc.get(key)]))
    nodes = workbook.create_sheet("node")
    nodes.append(_cells(nodes, NODE_FIELDS + WEIGHT_COLUMNS))
    for parent, node in _walk(doc["nodes"]):
        weights = node.get("weights") or {}
        row = (
            [node["code"], parent]
            + [node.get(f, "") for f in NODE_FIELDS[2:-1]]
            + [node.get("source", "questionnaire")]
            + [weights.get(t) for t in RespondentType.values]
        )
        nodes.append(_cells(nodes, row))
    questions = workbook.create_sheet("pertanyaan")
    questions.append(_cells(questions, QUESTION_FIELDS))
    for questionnaire in doc.get("questionnaires") or []:
        for question in questionnaire.get("questions") or []:
            base = [
                questionnaire["respondent_type"],
                questionnaire["level"],
                questionnaire.get("title", ""),
                question["code"],
                question.get("kind", "single"),
                question["text"],
            ]
            for option in question.get("options") or [{}]:
                option_cells = [option.get("code"), option.get("text"), option.get("sub"), option.get("weight")]
                questions.append(_cells(questions, base + option_cells + [option.get("min"), option.get("max")]))
    bands = workbook.create_sheet("level")
    bands.append(_cells(bands, BAND_FIELDS))
    for band in doc["bands"]:
        bands.append(_cells(bands, [band["name"], band.get("upper"), band.get("color")]))
    workbook.save(path)


# The columns each sheet needs (the others are optional).
REQUIRED = {
    "node": ["code", "parent", "text"],
    "pertanyaan": ["respondent_type", "level", "question", "text", "option", "option_text", "sub", "weight"],
    "level": ["name", "upper"],
}


def _sheet(workbook, name):
    if name not in workbook.sheetnames:
        raise ValueError(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": name})
    return workbook[name]


def _rows(sheet):
    """Each filled row as {header: value}, marked with its place ("_row") for the problem report."""
    rows = sheet_rows(sheet)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    missing = [column for column in REQUIRED.get(sheet.title, []) if column not in header]
    if missing:
        raise ValueError(
            _("The sheet “%(sheet)s” has no column %(columns)s.")
            % {"sheet": sheet.title, "columns": ", ".join(f"“{c}”" for c in missing)}
        )
    for number, row in enumerate(rows, start=2):
        if any(v not in (None, "") for v in row):
            values = {h: ("" if v is None else v) for h, v in zip(header, row, strict=False)}
            yield values | {"_row": f"{sheet.title}, baris {number}"}


def _text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def from_workbook(path):
    """The document in the workbook; cell values are passed on as they are (the schema reports a wrong
    type with the row it came from)."""
    workbook = open_workbook(path)
    try:
        meta = {
            str(row[0]): (row[1] if len(row) > 1 else None)
            for row in sheet_rows(_sheet(workbook, "instrumen"))
            if row and row[0]
        }
        doc = {
            "code": _text(meta.get("code", "")),
            "name": _text(meta.get("name", "")),
            "description": _text(meta.get("description") or ""),
            "sample": bool(meta.get("sample")),
            "nodes": [],
            "questionnaires": [],
            "bands": [],
        }
        by_code = {}
        for row in _rows(_sheet(workbook, "node")):
            node = {"code": _text(row["code"]), "text": _text(row["text"]), "_row": row["_row"]}
            for field in NODE_FIELDS[3:-1]:
                if row.get(field):
                    node[field] = _text(row[field])
            if row.get("source") and row["source"] != "questionnaire":
                node["source"] = _text(row["source"])
            weights = {t: row[f"w_{t}"] for t in RespondentType.values if row.get(f"w_{t}") not in ("", None)}
            if weights:
                node["weights"] = weights
            by_code[node["code"]] = node
            parent = _text(row.get("parent", ""))
            if parent == node["code"]:
                raise ValueError(
                    _("%(place)s: the node %(code)s is its own parent.") % {"place": row["_row"], "code": parent}
                )
            siblings = by_code[parent].setdefault("children", []) if parent in by_code else doc["nodes"]
            siblings.append(node)
        questionnaires = {}
        for row in _rows(_sheet(workbook, "pertanyaan")):
            key = (_text(row["respondent_type"]), _text(row["level"]))
            questionnaire = questionnaires.setdefault(
                key, {"respondent_type": key[0], "level": key[1], "title": _text(row.get("title", "")), "questions": []}
            )
            questions = questionnaire["questions"]
            if not questions or questions[-1]["code"] != _text(row["question"]):
                questions.append(
                    {
                        "code": _text(row["question"]),
                        "kind": _text(row.get("kind") or "single"),
                        "text": _text(row["text"]),
                        "_row": row["_row"],
                    }
                )
            if row.get("option") not in ("", None):
                option = {
                    "code": _text(row["option"]),
                    "text": _text(row["option_text"]),
                    "sub": _text(row["sub"]) if row.get("sub") not in ("", None) else None,
                    "weight": row["weight"] or 0,
                    "_row": row["_row"],
                }
                # A number question's ranges; the validator reports a missing or non-numeric lower end.
                for end in ("min", "max"):
                    if row.get(end) not in ("", None):
                        option[end] = row[end]
                questions[-1].setdefault("options", []).append(option)
        doc["questionnaires"] = list(questionnaires.values())
        doc["bands"] = [
            {
                "name": _text(r["name"]),
                "upper": None if r.get("upper") in ("", None) else r["upper"],
                "color": _text(r.get("color") or "#888888"),
                "_row": r["_row"],
            }
            for r in _rows(_sheet(workbook, "level"))
        ]
    finally:
        workbook.close()
    return doc
