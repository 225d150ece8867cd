"""Synthetic mapping rounds for demos and benchmarks.

Each school gets a hidden quality level; each respondent answers every question of its
questionnaire near that level with noise. Some schools send nothing and some respondents give the
same option to every question (straight-liners), so the data-quality checks have something to find.
Answers are generated with NumPy per questionnaire and respondent type, never per answer.
"""

from datetime import date

import numpy as np
from django.db import transaction
from django.utils import timezone

from mutu.instruments.models import InstrumentVersion, Option, Questionnaire
from mutu.instruments.services import build_default_document, load_instrument
from mutu.regions.models import District
from mutu.schools.models import Level, School, Status

from . import services
from .models import Respondent

DEFAULT_QUOTAS = {level: {"ks": 1, "guru": 15, "siswa": 26, "komite": 3} for level in Level.values}
LEVEL_SHARE = [(Level.SD, 0.66), (Level.SMP, 0.18), (Level.SMA, 0.07), (Level.SMK, 0.07), (Level.SLB, 0.02)]


def default_instrument():
    version = InstrumentVersion.objects.filter(code="snp2019-contoh").first()
    return version or load_instrument(build_default_document(), publish=True)


def ensure_schools(province, count, rng):
    """Top the province up to `count` schools with generated ones (NPSN 9xxxxxxx); returns them all."""
    existing = School.objects.filter(province=province).count()
    missing = count - existing
    if missing > 0:
        districts = list(District.objects.filter(regency__province=province).select_related("regency"))
        prefix = f"9{province.code}"  # 9 + province code + 5 digits: 8 digits, unique per province
        start = School.objects.filter(npsn__startswith=prefix).count()
        levels = rng.choice([lv for lv, _ in LEVEL_SHARE], size=missing, p=[share for _, share in LEVEL_SHARE])
        rows = []
        for i in range(missing):
            district = districts[int(rng.integers(len(districts)))]
            rows.append(
                School(
                    npsn=f"{prefix}{start + i:05d}",
                    name=f"{levels[i]} Sintetis {start + i + 1}",
                    level=levels[i],
                    status=Status.NEGERI if rng.random() < 0.7 else Status.SWASTA,
                    district=district,
                    regency_id=district.regency_id,
                    province_id=province.id,
                    updated_at=timezone.now(),
                )
            )
        School.objects.bulk_create(rows, batch_size=2000)
    return list(School.objects.filter(province=province).order_by("id").values_list("id", "level"))


def _option_table(questionnaire):
    """Questions × options matrix of option ids, options ordered from worst to best answer."""
    rows = {}
    for question_id, option_id in (
        Option.objects.filter(question__questionnaire=questionnaire)
        .order_by("question__position", "weight", "position")
        .values_list("question_id", "id")
    ):
        rows.setdefault(question_id, []).append(option_id)
    width = max((len(r) for r in rows.values()), default=0)
    table = np.array([r + [r[-1]] * (width - len(r)) for r in rows.values()], dtype=np.int32)
    return table


@transaction.atomic
def synth_round(
    *,
    province,
    schools=None,
    year=2026,
    seed=2026,
    quotas=None,
    not_sent=0.05,
    straight_liners=0.02,
    actor=None,
    name=None,
    closes_on=None,
):
    """Create a round for `province` with generated respondents and submitted answers; returns it."""
    rng = np.random.default_rng(seed)
    quotas = quotas or DEFAULT_QUOTAS
    instrument = default_instrument()
    school_rows = (
        ensure_schools(province, schools, rng)
        if schools
        else list(School.objects.filter(province=province).order_by("id").values_list("id", "level"))
    )
    round_ = services.create_round(
        actor=actor,
        name=name or f"Pemetaan Mutu {province.name} {year} (sintetis)",
        year=year,
        instrument=instrument,
        province=province,
        opens_on=date(year, 1, 1),
        closes_on=closes_on or date(year, 12, 31),
        quotas=quotas,
    )
    generate_respondents(round_, school_rows, rng, quotas=quotas, not_sent=not_sent, straight_liners=straight_liners)
    return round_


def generate_respondents(round_, school_rows, rng, *, quotas, not_sent=0.05, straight_liners=0.02):
    """Respondents per quota with submitted answers for (school id, level) rows; some schools send nothing."""
    tables = {
        (q.level, q.respondent_type): _option_table(q)
        for q in Questionnaire.objects.filter(version=round_.instrument_id)
    }
    quality = rng.beta(5, 2.2, size=len(school_rows))  # most schools good, a tail of weak ones
    sending = rng.random(len(school_rows)) >= not_sent
    now = timezone.now()
    batch = []
    for (school_id, level), q, sends in zip(school_rows, quality, sending, strict=True):
        for rtype, count in quotas.get(level, {}).items():
            table = tables.get((level, rtype))
            if table is None or not count:
                continue
            n_questions, width = table.shape
            # Option index near the school's quality, per respondent and question.
            picks = np.clip(np.rint(q * (width - 1) + rng.normal(0, 0.8, size=(count, n_questions))), 0, width - 1)
            flat = rng.random(count) < straight_liners
            picks[flat] = rng.integers(width, size=(int(flat.sum()), 1))
            chosen = np.take_along_axis(
                np.broadcast_to(table, (count, n_questions, width)), picks.astype(np.int64)[:, :, None], axis=2
            )[:, :, 0]
            for number in range(count):
                batch.append(
                    Respondent(
                        round=round_,
                        school_id=school_id,
                        respondent_type=rtype,
                        number=number + 1,
                        packed=np.sort(chosen[number]).astype("<i4").tobytes() if sends else b"",
                        submitted_at=now if sends else None,
                    )
                )
        if len(batch) >= 5000:
            Respondent.objects.bulk_create(services.redraw_taken_codes(batch))
            batch = []
    Respondent.objects.bulk_create(services.redraw_taken_codes(batch))
    services.refresh_progress(round_, school_rows, regions=False)
    schools = School.objects.filter(pk__in=[school_id for school_id, _level in school_rows])
    services.refresh_region_progress(round_.pk, sorted(set(schools.values_list("regency_id", flat=True))))
