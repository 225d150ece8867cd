"""Rapor mutu pages and their exports (PDF via WeasyPrint, XLSX through the exporter base)."""

import math

import numpy as np
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm
from mutu.core.exporters import ListExporter
from mutu.instruments.models import LevelBand

from . import charts, selectors
from .models import Milestone, RegionScore, SchoolScore, Verification
from .scoring import ENGINE, published


def _num(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _band(bands, value):
    """The band of a score as published (rounded half up to 2 decimals), so "5,06" is never shown
    beside the level of 5.0631."""
    if value is None:
        return None
    shown = published(value)
    for band in bands:
        if band.upper is None or shown <= band.upper:
            return band
    return bands[-1]


def school_context(round_, school):
    """Everything the school rapor shows, in a fixed number of queries whatever the data size."""
    score, regions = selectors.school_rapor(round_, school)
    nodes = selectors.nodes_of(round_)
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    verifications = {v.node_id: v for v in Verification.objects.filter(round=round_, school=school)}
    milestones = {m.step: m for m in Milestone.objects.filter(round=round_, school=school).select_related("actor")}
    values = selectors.decode(score.values) if score else [None] * len(nodes)
    originals = selectors.decode(score.original_values) if score and score.original_values else None
    regency = regions.get(("regency", school.regency.code))
    province = regions.get(("province", school.province.code))
    nation = regions.get(("nation", ""))
    means = {
        name: selectors.decode(r.values) if r else None
        for name, r in (("regency", regency), ("province", province), ("nation", nation))
    }
    tree, by_id = [], {}
    for i, node in enumerate(nodes):
        value = _num(values[i])
        original = _num(originals[i]) if originals is not None else value
        item = {
            "node": node,
            "value": value,
            "original": original,
            "changed": originals is not None and original != value,
            "band": _band(bands, value),
            "children": [],
            "verification": verifications.get(node.id),
            "regency": _num(means["regency"][i]) if means["regency"] is not None else None,
        }
        by_id[node.id] = item
        (by_id[node.parent_id]["children"] if node.parent_id else tree).append(item)
    chart = charts.standards_chart(
        [f"{item['node'].code}. {item['node'].text.removeprefix('Standar ')}" for item in tree],
        [(str(school.name), [item["value"] for item in tree])]
        + [
            (
                label,
                [
                    _num(means[key][i]) if means[key] is not None else None
                    for i, n in enumerate(nodes)
                    if not n.parent_id
                ],
            )
            for key, label in (("regency", _("Regency/city")), ("province", _("Province")), ("nation", _("National")))
            if means[key] is not None
        ],
    )
    subs = [n for n in nodes if n.kind == "sub"]
    total = _num(score.total) if score else None
    return {
        "round": round_,
        "school": school,
        "score": score,
        "total": total,
        "band": bands[score.level] if score and score.level is not None else None,
        "bands": bands,
        "tree": tree,
        "chart": chart,
        "history": selectors.history(school, round_),
        "milestones": [(step, milestones.get(step.value)) for step in Milestone.Step],
        "published": Milestone.Step.PUBLISHED.value in milestones,
        "verification_done": Milestone.Step.VERIFIED.value in milestones,
        "original_total": _num(score.original_total) if score else None,
        "verified_count": len(verifications),
        "sub_count": len(subs),
        "flags": score.flags if score else [],
        "regency_score": regency,
        "province_score": province,
    }


def standard_of(context, node_id):
    """The standard item of a rapor context whose subtree holds the node."""

    def holds(item):
        return item["node"].id == node_id or any(holds(child) for child in item["children"])

    return next(item for item in context["tree"] if holds(item))


def region_schools(user, round_, kind, code):
    """The schools of a region that this user may see."""
    schools = selectors.round_schools(user, round_, Perm.ROUND_VIEW)
    field = {
        RegionScore.Kind.DISTRICT: "district__code",
        RegionScore.Kind.REGENCY: "regency__code",
        RegionScore.Kind.PROVINCE: "province__code",
    }.get(kind)
    return schools.filter(**{field: code}) if field else schools


SORTS = {"total": ("-total", "school__name"), "name": ("school__name",), "flags": ("-flag_count", "school__name")}


def region_context(round_, region, schools, sort):
    """The region's summary plus its schools' scores as a queryset, sorted and paginated by the database."""
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    nodes = selectors.nodes_of(round_)
    means = selectors.decode(region.values)
    standards = [(n, _num(means[i])) for i, n in enumerate(nodes) if not n.parent_id]
    sort = sort if sort in SORTS else "total"
    scores = (
        SchoolScore.objects.filter(round=round_, engine=ENGINE, school__in=schools)
        .select_related("school", "school__district")
        .only("total", "level", "flag_count", "school__npsn", "school__name", "school__district__name")
        .order_by(*SORTS[sort])
    )
    level_rows = [(band, count) for band, count in zip(bands, region.level_counts, strict=False)]
    return {
        "round": round_,
        "region": region,
        "region_name": region_name(region),
        "standards": standards,
        "bands": bands,
        "level_rows": level_rows,
        "scores": scores,
        "sort": sort,
        "chart": charts.standards_chart(
            [f"{n.code}. {n.text.removeprefix('Standar ')}" for n, _v in standards],
            [(region_name(region), [v for _n, v in standards])],
        ),
        "flagged": scores.filter(flag_count__gt=0).count(),
        "lists_schools_in_pdf": region.kind in (RegionScore.Kind.DISTRICT, RegionScore.Kind.REGENCY),
    }


def region_name(region):
    from mutu.regions.models import District, Province, Regency

    model = {"district": District, "regency": Regency, "province": Province}.get(region.kind)
    if model is None:
        return _("National")
    found = model.objects.filter(code=region.code).first()
    return found.name if found else region.code


def render_pdf(request, template, context):
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


def respondent_sheet_pdf(request, round_, school, slots):
    import segno

    link = request.build_absolute_uri("/r/")
    cards = [
        {
            "slot": slot,
            "url": f"{link}{slot.code}/",
            "qr": segno.make(f"{link}{slot.code}/", error="m").svg_inline(scale=3),
        }
        for slot in slots
    ]
    return render_pdf(
        request, "mapping/respondent_sheet.html", {"round": round_, "school": school, "cards": cards, "entry_url": link}
    )


class SchoolRaporExporter(ListExporter):
    def __init__(self, context):
        self.context = context
        self.filename = f"rapor-mutu-{context['school'].npsn}-{context['round'].year}"

    def headers(self):
        return [_("Code"), _("Text"), _("Score"), _("Level"), _("Regency/city mean"), _("Verification")]

    def rows(self):
        def walk(items):
            for item in items:
                v = item["verification"]
                note = "" if v is None else (_("agree") if v.agreed else f"{v.corrected:.2f} — {v.note}")
                yield [
                    item["node"].code,
                    item["node"].text,
                    _round(item["value"]),
                    item["band"].name if item["band"] else "",
                    _round(item["regency"]),
                    note,
                ]
                yield from walk(item["children"])

        yield from walk(self.context["tree"])


class RegionSchoolsExporter(ListExporter):
    def __init__(self, context):
        self.context = context
        self.filename = f"rapor-wilayah-{context['region'].code or 'nasional'}-{context['round'].year}"

    def headers(self):
        return ["NPSN", _("School"), _("District"), _("Score"), _("Level"), _("Data notes")]

    def rows(self):
        for row in self.context["rows"]:
            yield [
                row["school"].npsn,
                row["school"].name,
                row["school"].district.name,
                _round(row["total"]),
                row["band"].name if row["band"] else "",
                row["flags"],
            ]


def _round(value):
    return None if value is None else round(value, 2)


class ResponsesExporter(ListExporter):
    """Raw responses for regional and national analysts: one row per response, chosen options as
    question=option codes, number and text answers as question=value. No slot number or code, and
    within a school and respondent type the rows are ordered by their answers, so the order says
    nothing about who answered or when."""

    def __init__(self, round_, schools):
        self.round, self.schools = round_, schools
        self.filename = f"jawaban-{round_.pk}"

    def headers(self):
        return ["NPSN", _("Level (jenjang)"), _("Respondent type"), _("Answers"), _("Number and text answers")]

    def rows(self):
        from mutu.instruments.models import Option, Question

        from .models import Respondent

        labels = {
            o_id: f"{q_code}={o_code}"
            for o_id, q_code, o_code in Option.objects.filter(
                question__questionnaire__version=self.round.instrument_id
            ).values_list("id", "question__code", "code")
        }
        open_questions = dict(
            Question.objects.filter(
                questionnaire__version=self.round.instrument_id,
                kind__in=[Question.Kind.NUMBER, Question.Kind.TEXT],
            ).values_list("id", "code")
        )
        rows = (
            Respondent.objects.filter(round=self.round, school__in=self.schools, submitted_at__isnull=False)
            .order_by("school__npsn", "respondent_type", "packed", "draft")
            .values_list("school__npsn", "school__level", "respondent_type", "packed", "draft")
        )
        for npsn, level, rtype, packed, draft in rows.iterator(chunk_size=5000):
            ids = np.frombuffer(bytes(packed), dtype="<i4")
            other = [
                f"{code}={draft[str(q_id)]}"
                for q_id, code in open_questions.items()
                if draft.get(str(q_id)) not in (None, "")
            ]
            yield [npsn, level, rtype, ",".join(labels.get(int(i), str(i)) for i in ids), "; ".join(other)]


class ScoresExporter(ListExporter):
    """Every node score of every school with a rapor, one row per school, for analysts."""

    def __init__(self, round_, schools):
        self.round, self.schools = round_, schools
        self.filename = f"nilai-{round_.pk}"
        self.nodes = selectors.nodes_of(round_)

    def headers(self):
        return ["NPSN", _("Level (jenjang)"), _("Score"), _("Published score"), _("Level")] + [
            n.code for n in self.nodes
        ]

    def rows(self):
        bands = list(LevelBand.objects.filter(version=self.round.instrument_id).order_by("position"))
        scores = (
            SchoolScore.objects.filter(round=self.round, engine=ENGINE, school__in=self.schools)
            .order_by("school__npsn")
            .values_list("school__npsn", "school__level", "total", "total_published", "level", "values")
        )
        # Full precision for analysts; the published score and its level as the rapor shows them.
        for npsn, level, total, shown, band, values in scores.iterator(chunk_size=2000):
            yield [npsn, level, total, shown, bands[band].name if band is not None else ""] + [
                _num(v) for v in selectors.decode(values)
            ]
