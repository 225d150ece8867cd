"""Rapor mutu pages and their exports (PDF via WeasyPrint, XLSX through the exporter base)."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, Count, FilteredRelation, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from mutu.accounts.permissions import Perm, has_perm
from mutu.core import dates, documents
from mutu.core.exporters import ListExporter
from mutu.core.pdf import render_pdf
from mutu.core.qr import qr_svg
from mutu.instruments.models import LevelBand
from mutu.regions.models import District, Province, Regency
from mutu.schools.models import School

from . import charts, selectors
from .models import Milestone, PendingScore, RaporVersion, RegionScore, SchoolProgress, SchoolScore, Verification
from .scoring import ENGINE, published
from .services import pending_reason, verval_split


def _num(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _shown(value):
    value = _num(value)
    return None if value is None else published(value)


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


@dataclass
class PublishedVerification:
    """One sub-indicator's verval as a rapor version was published with it."""

    agreed: bool
    corrected: float | None
    note: str


def school_context(round_, school, verval=False):
    """Everything the school rapor shows, in a fixed number of queries whatever the data size. A
    published rapor shows its latest version with the verval it was published with, and a pending
    newer version beside it; `verval`: the version verval works on, with its current verval."""
    score, regions = selectors.school_rapor(round_, school)
    nodes = selectors.nodes_of(round_)
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    milestones = {m.step: m for m in Milestone.objects.filter(round=round_, school=school).select_related("actor")}
    is_published = Milestone.Step.PUBLISHED.value in milestones
    versions = list(RaporVersion.objects.filter(round=round_, school=school).select_related("published_by"))
    pending = PendingScore.objects.filter(round=round_, school=school, engine=ENGINE).first() if is_published else None
    published_score = score
    reverifying = bool(verval and score and is_published and pending and pending.open)
    stale = {}
    if verval and score:
        if reverifying:
            score = pending
        verifications, stale = verval_split(round_, school, score)
    elif is_published and versions:
        verifications = {
            int(node_id): PublishedVerification(*entry) for node_id, entry in versions[-1].verifications.items()
        }
    else:
        verifications = {v.node_id: v for v in Verification.objects.filter(round=round_, school=school)}
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
            "stale": stale.get(node.id),
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
        level_of=lambda value: _band(bands, value),
    )
    subs = [n for n in nodes if n.kind == "sub"]
    total = _num(score.total) if score else None
    progress = SchoolProgress.objects.filter(round=round_, school=school).first()
    sent = sum(progress.sent.values()) if progress else 0
    counted = sum(score.respondents.values()) if score else 0
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
        "published": is_published,
        "verification_done": Milestone.Step.VERIFIED.value in milestones,
        "reverifying": reverifying,
        "verval_locked": Milestone.Step.VERIFIED.value in milestones and not reverifying,
        "stale_count": len(stale),
        "versions": versions,
        "version": versions[-1] if is_published and versions else None,
        "pending": pending and _pending_summary(pending, published_score, nodes, bands),
        "original_total": _num(score.original_total) if score else None,
        "sent_since": max(0, sent - counted) if score else 0,  # responses sent after the rapor was computed
        "path": region_path(round_, RegionScore.Kind.DISTRICT, school.district.code),
        "verified_count": len(verifications),
        "sub_count": len(subs),
        "flags": score.flags if score else [],
        "regency_score": regency,
        "province_score": province,
    }


def _pending_summary(pending, score, nodes, bands):
    """A pending version beside the published rapor: its total and level, the standards that differ."""
    new, old = selectors.decode(pending.values), selectors.decode(score.values)
    changed = [
        {"node": node, "published": _num(old[i]), "pending": _num(new[i])}
        for i, node in enumerate(nodes)
        if not node.parent_id and _shown(old[i]) != _shown(new[i])  # as the rapor shows them
    ]
    return {
        "score": pending,
        "total": _num(pending.total),
        "band": bands[pending.level] if pending.level is not None else None,
        "changed": changed,
        "reason": pending_reason(pending, score),
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
# Each region kind: the school field that holds it, the region model, and the kind one level down.
REGION_LEVELS = {
    RegionScore.Kind.NATION: (None, None, RegionScore.Kind.PROVINCE),
    RegionScore.Kind.PROVINCE: ("province", Province, RegionScore.Kind.REGENCY),
    RegionScore.Kind.REGENCY: ("regency", Regency, RegionScore.Kind.DISTRICT),
    RegionScore.Kind.DISTRICT: ("district", District, None),
}


@dataclass
class Figures:
    """What a region page counts: the mean, schools with and without a rapor, schools per level and
    the standards' means, over one population of schools."""

    total: float | None
    schools: int
    with_rapor: int
    level_counts: list
    standards: list  # [(node, mean)]
    complete: bool  # the whole region (stored by the engine), or only the schools in the user's scope
    region: RegionScore | None  # the engine's stored row of the whole region

    @property
    def not_sent(self):
        return self.schools - self.with_rapor


def region_path(round_, kind, code):
    """[(kind, code, name)] from the top of the round's area down to this region."""
    field, model, _child = REGION_LEVELS[kind]
    path = []
    if model is not None:
        region = get_object_or_404(model.objects.select_related(*_parents(kind)), code=code)
        path = [(kind, code, region.name)]
        if kind == RegionScore.Kind.DISTRICT:
            path.insert(0, (RegionScore.Kind.REGENCY, region.regency.code, region.regency.name))
            region = region.regency
        if kind in (RegionScore.Kind.DISTRICT, RegionScore.Kind.REGENCY):
            path.insert(0, (RegionScore.Kind.PROVINCE, region.province.code, region.province.name))
    if not round_.province_id:
        path.insert(0, (RegionScore.Kind.NATION, "", _("National")))
    return path


def _parents(kind):
    return {RegionScore.Kind.DISTRICT: ["regency__province"], RegionScore.Kind.REGENCY: ["province"]}.get(kind, [])


def standard_means(region, nodes):
    """[(standard node, mean)] of a stored region row."""
    means = selectors.decode(region.values)
    return [(node, _num(means[i])) for i, node in enumerate(nodes) if not node.parent_id]


def region_figures(round_, kind, code, schools, nodes, bands):
    """The region's figures over `schools` (the user's scope in it): the engine's stored row where that
    scope is the whole region, else computed from the scoped schools' rapor, so that the tiles and the
    tables below them always count the same schools."""
    field, _model, _child = REGION_LEVELS[kind]
    whole = School.objects.filter(**{f"{field}__code": code}) if field else School.objects.all()
    if round_.province_id:
        whole = whole.filter(province_id=round_.province_id)
    region = RegionScore.objects.filter(round=round_, engine=ENGINE, kind=kind, code=code).first()
    scoped = schools.count()
    if region is not None and scoped == whole.count():
        return Figures(
            total=region.total,
            schools=region.schools,
            with_rapor=region.with_rapor,
            level_counts=region.level_counts,
            standards=standard_means(region, nodes),
            complete=True,
            region=region,
        )
    top = [i for i, n in enumerate(nodes) if not n.parent_id]
    rows = list(
        SchoolScore.objects.filter(round=round_, engine=ENGINE, school__in=schools, total__isnull=False).values_list(
            "total", "level", "values"
        )
    )
    values = np.array([selectors.decode(v)[top] for _t, _l, v in rows]).reshape(len(rows), len(top))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a standard no school has a value for
        means = np.nanmean(values, axis=0) if rows else np.full(len(top), np.nan)
    return Figures(
        total=float(np.mean([t for t, _l, _v in rows])) if rows else None,
        schools=scoped,
        with_rapor=len(rows),
        level_counts=[int(c) for c in np.bincount([lv for _t, lv, _v in rows], minlength=len(bands))],
        standards=[(nodes[i], _num(m)) for i, m in zip(top, means, strict=True)],
        complete=False,
        region=region,
    )


def region_children(round_, kind, schools, figures):
    """One row per region one level down (kab/kota of a province …), counting the same schools as the
    figures: the engine's stored rows for a whole region, else grouped from the scoped schools."""
    _field, _model, child = REGION_LEVELS[kind]
    if child is None:
        return []
    child_field = REGION_LEVELS[child][0]
    if figures.complete:
        codes = dict(schools.order_by().values_list(f"{child_field}__code", f"{child_field}__name").distinct())
        stored = RegionScore.objects.filter(round=round_, engine=ENGINE, kind=child, code__in=list(codes))
        rows = [
            {"kind": child, "code": r.code, "name": codes[r.code], "schools": r.schools, "with_rapor": r.with_rapor}
            | {"total": r.total}
            for r in stored
        ]
    else:
        rapor = FilteredRelation("scores", condition=Q(scores__round=round_, scores__engine=ENGINE))
        rows = [
            {"kind": child, "code": code, "name": name, "schools": n, "with_rapor": with_rapor, "total": mean}
            for code, name, n, with_rapor, mean in schools.annotate(rapor=rapor)
            .order_by()
            .values_list(f"{child_field}__code", f"{child_field}__name")
            .annotate(n=Count("id"), with_rapor=Count("rapor__id"), mean=Avg("rapor__total"))
        ]
    for row in rows:
        row["not_sent"] = row["schools"] - row["with_rapor"]
    return sorted(rows, key=lambda row: row["name"])


# A region PDF listing more schools than this (a few pages) is drawn by the worker (`region_pdf`).
PDF_ROWS_IN_REQUEST = 150
REGION_PDF = "mapping.region_pdf"
REGION_XLSX, SCORES_CSV, RESPONSES_CSV = "mapping.region", "mapping.scores", "mapping.responses"


@documents.builder(REGION_PDF)
def region_pdf(params):
    """A region's rapor as PDF for the user who asked (their scope, as the page shows it)."""
    from mutu.accounts.models import User

    user = User.objects.get(pk=params["user"])
    round_ = selectors.round_for_user(user, params["round"])
    schools = region_schools(user, round_, params["kind"], params["code"])
    context = region_context(round_, params["kind"], params["code"], schools, params.get("sort", "total"))
    pdf = render_pdf(None, "mapping/region_pdf.html", context)
    return pdf, f"rapor-wilayah-{params['code'] or 'nasional'}-{round_.year}.pdf", context["figures"].schools


@documents.exporter(REGION_XLSX)
def region_export(user, params):
    round_ = selectors.round_for_user(user, params["round"])
    schools = region_schools(user, round_, params["kind"], params["code"])
    if not schools.exists():  # nothing of it in the user's scope: as the page, not found
        raise Http404
    return RegionSchoolsExporter(region_context(round_, params["kind"], params["code"], schools, params["sort"]))


@documents.exporter(SCORES_CSV)
def scores_export(user, params):
    round_ = selectors.round_for_user(user, params["round"])
    return ScoresExporter(round_, selectors.round_schools(user, round_))


@documents.exporter(RESPONSES_CSV)
def responses_export(user, params):
    """Raw responses, for analysts only (refused as not found to anyone else, as the page does)."""
    if not has_perm(user, Perm.RESPONSES_EXPORT):
        raise Http404
    round_ = selectors.round_for_user(user, params["round"])
    return ResponsesExporter(round_, selectors.round_schools(user, round_, Perm.RESPONSES_EXPORT))


def region_pdf_in_worker(context):
    """Whether the region's PDF is long enough to be drawn by the worker rather than in the request."""
    return context["lists_schools_in_pdf"] and context["figures"].with_rapor > PDF_ROWS_IN_REQUEST


def region_context(round_, kind, code, schools, sort):
    """A region's page: its figures, the regions one level down and its schools' scores (a queryset,
    sorted and paginated by the database), all over the same schools."""
    bands = list(LevelBand.objects.filter(version=round_.instrument_id).order_by("position"))
    nodes = selectors.nodes_of(round_)
    path = region_path(round_, kind, code)
    name = path[-1][2]
    figures = region_figures(round_, kind, code, schools, nodes, bands)
    sort = sort if sort in SORTS else "total"
    scores = (
        SchoolScore.objects.filter(round=round_, engine=ENGINE, school__in=schools)
        .select_related("school", "school__district")
        .only("total", "level", "flag_count", "school__npsn", "school__name", "school__district__name")
        .order_by(*SORTS[sort])
    )
    series = [(name, [v for _n, v in figures.standards])]
    comparison = None
    if not figures.complete:  # the user's schools, named as such, beside the whole region's stored mean
        series = [(_("Your scope"), series[0][1])]
        comparison = figures.region
        if comparison is not None:
            whole = [v for _n, v in standard_means(comparison, nodes)]
            series.append((_("%(region)s (all schools)") % {"region": name}, whole))
    published_count = selectors.published_school_ids(round_, schools).count()
    return {
        "round": round_,
        "kind": kind,
        "code": code,
        "region_name": name,
        "path": path,
        "figures": figures,
        "comparison": comparison,
        "children": region_children(round_, kind, schools, figures),
        "child_label": {
            RegionScore.Kind.PROVINCE: _("Province"),
            RegionScore.Kind.REGENCY: _("Regency/city"),
            RegionScore.Kind.DISTRICT: _("District"),
        }.get(REGION_LEVELS[kind][2]),
        "bands": bands,
        "level_rows": list(zip(bands, figures.level_counts, strict=False)),
        "scores": scores,
        "sort": sort,
        "chart": charts.standards_chart(
            [f"{n.code}. {n.text.removeprefix('Standar ')}" for n, _v in figures.standards],
            series,
            level_of=lambda value: _band(bands, value),
        ),
        "published_count": published_count,
        "flagged": scores.filter(flag_count__gt=0).count(),
        "lists_schools_in_pdf": kind in (RegionScore.Kind.DISTRICT, RegionScore.Kind.REGENCY),
    }


def home_region(user, round_):
    """Where a user lands from a round: the region of their widest membership (the nation or the round's
    province for pusat, their province for LPMP and Dinas provinsi, their kab/kota for Dinas), else
    (pengawas, fasilitator, school roles) the smallest region holding all of their schools."""
    from mutu.accounts.models import ROLE_SCOPE, Scope
    from mutu.accounts.permissions import memberships_with

    memberships = memberships_with(user, Perm.ROUND_VIEW)
    scopes = {ROLE_SCOPE[m.role] for m in memberships}
    if Scope.NATIONAL in scopes:
        if round_.province_id:
            return RegionScore.Kind.PROVINCE, round_.province.code
        return RegionScore.Kind.NATION, ""
    for membership in memberships:
        if membership.province_id and (not round_.province_id or membership.province_id == round_.province_id):
            return RegionScore.Kind.PROVINCE, membership.province.code
    for membership in memberships:
        if membership.regency_id and (not round_.province_id or membership.regency.province_id == round_.province_id):
            return RegionScore.Kind.REGENCY, membership.regency.code
    schools = selectors.round_schools(user, round_)
    spread = schools.aggregate(
        provinces=Count("province", distinct=True),
        regencies=Count("regency", distinct=True),
        districts=Count("district", distinct=True),
    )
    first = schools.select_related("district", "regency", "province").order_by("id").first()
    if first is None:
        return None
    if spread["districts"] == 1:
        return RegionScore.Kind.DISTRICT, first.district.code
    if spread["regencies"] == 1:
        return RegionScore.Kind.REGENCY, first.regency.code
    if spread["provinces"] == 1:
        return RegionScore.Kind.PROVINCE, first.province.code
    return RegionScore.Kind.NATION, ""


def respondent_sheet_pdf(request, round_, school, slots):
    link = request.build_absolute_uri("/r/")
    cards = [
        {
            "slot": slot,
            "url": f"{link}{slot.code}/",
            "qr": qr_svg(f"{link}{slot.code}/"),
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
        version = context["version"]
        state = (
            _("published version %(n)s, %(at)s")
            % {"n": version.number, "at": dates.shown(timezone.localtime(version.published_at))}
            if version
            else _("provisional")
        )
        self.sheet = f"{_('Rapor mutu')} {context['school'].npsn} {context['round'].year}"
        self.title = f"{self.sheet} ({state})"

    def headers(self):
        return [_("Code"), _("Text"), _("Score"), _("Engine"), _("Level"), _("Regency/city mean"), _("Verification")]

    def rows(self):
        def walk(items):
            for item in items:
                v = item["verification"]
                note = (
                    ""
                    if v is None
                    else (_("agree") if v.agreed else f"{v.corrected:.2f} — {v.note}".replace(".", ",", 1))
                )
                yield [
                    item["node"].code,
                    item["node"].text,
                    item["value"],
                    item["original"],
                    item["band"].name if item["band"] else "",
                    item["regency"],
                    note,
                ]
                yield from walk(item["children"])

        yield from walk(self.context["tree"])


class RegionSchoolsExporter(ListExporter):
    """The schools of a region page with their scores, as XLSX."""

    def __init__(self, context):
        self.context = context
        self.filename = f"rapor-wilayah-{context['code'] or 'nasional'}-{context['round'].year}"
        self.title = f"{_('Rapor mutu')} {context['region_name']} · {context['round'].name}"
        self.sheet = _("Schools")

    def headers(self):
        return [
            "NPSN",
            _("School"),
            _("District"),
            _("Regency/city"),
            _("Score"),
            _("Level"),
            _("Data notes"),
            _("Status"),
        ]

    def source(self):
        return self.context["scores"]

    def rows(self):
        bands = self.context["bands"]
        final, provisional = str(_("final")), str(_("provisional"))
        published = set(selectors.published_school_ids(self.context["round"], self.context["scores"].values("school")))
        scores = (
            self.context["scores"]
            .select_related("school__regency")
            .only(
                "total",
                "level",
                "flag_count",
                "school__npsn",
                "school__name",
                "school__district__name",
                "school__regency__name",
            )
        )
        for score in scores.iterator(chunk_size=2000):
            yield [
                score.school.npsn,
                score.school.name,
                score.school.district.name,
                score.school.regency.name,
                score.total,
                bands[score.level].name if score.level is not None else "",
                score.flag_count,
                final if score.school_id in published else provisional,
            ]


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

    def source(self):
        from .models import Respondent

        return Respondent.objects.filter(round=self.round, school__in=self.schools, submitted_at__isnull=False)

    def rows(self):
        from mutu.instruments.models import Option, Question

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
            self.source()
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
    """Every node score of every school with a rapor, one row per school, for analysts: full precision,
    the published score and its level, the engine's total before verval corrections, the status."""

    def __init__(self, round_, schools):
        self.round, self.schools = round_, schools
        self.filename = f"nilai-{round_.pk}"
        self.nodes = selectors.nodes_of(round_)

    def headers(self):
        return [
            "NPSN",
            _("School"),
            _("District"),
            _("Regency/city"),
            _("Level (jenjang)"),
            _("Score"),
            _("Published score"),
            _("Level"),
            _("Score before verification"),
            _("Status"),
        ] + [n.code for n in self.nodes]

    def source(self):
        return SchoolScore.objects.filter(round=self.round, engine=ENGINE, school__in=self.schools)

    def rows(self):
        bands = list(LevelBand.objects.filter(version=self.round.instrument_id).order_by("position"))
        published = set(selectors.published_school_ids(self.round))
        scores = (
            self.source()
            .order_by("school__npsn")
            .values_list(
                "school_id",
                "school__npsn",
                "school__name",
                "school__district__name",
                "school__regency__name",
                "school__level",
                "total",
                "total_published",
                "level",
                "original_total",
                "values",
            )
        )
        final, provisional = str(_("final")), str(_("provisional"))
        for school_id, npsn, name, district, regency, level, total, shown, band, original, values in scores.iterator(
            chunk_size=2000
        ):
            yield [
                npsn,
                name,
                district,
                regency,
                level,
                total,
                shown,
                bands[band].name if band is not None else "",
                original if original is not None else total,
                final if school_id in published else provisional,
            ] + [_num(v) for v in selectors.decode(values)]
