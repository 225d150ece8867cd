"""The demo: Riau's 12 kab/kota, a few hundred generated schools and one persona per role.

Deterministic and idempotent: a second run finds everything in place and changes nothing.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mutu.accounts.models import Membership, Role, User
from mutu.core.notifications import in_app_only
from mutu.cycle import analysis as cycle_analysis
from mutu.cycle import evaluation as cycle_evaluation
from mutu.cycle import implementation as cycle_implementation
from mutu.cycle import planning as cycle_planning
from mutu.cycle import services as cycle_services
from mutu.cycle.models import STEPS, SchoolCycle
from mutu.demo.programme import load_programme
from mutu.demo.rapor_pendidikan import load as load_rapor_pendidikan
from mutu.mapping.models import Respondent, Round
from mutu.mapping.scoring import score_round
from mutu.mapping.services import add_respondents
from mutu.mapping.synth import synth_round
from mutu.regions.models import District, Province, Regency
from mutu.regions.services import load_regions
from mutu.schools.models import Accreditation, Level, School, Status

DEMO_PASSWORD = "mutu-demo-2026"
PROVINCE_CODE = "14"  # Riau
VALID_FROM = date(2026, 1, 1)
DEMO_ROUND_YEAR = 2026
# Schools generated per regency and level.
PER_REGENCY = {Level.SD: 12, Level.SMP: 6, Level.SMA: 3, Level.SMK: 3, Level.SLB: 1}
NAME_PATTERN = {
    Level.SD: "SD {status} {n:03d} {place}",
    Level.SMP: "SMP {status} {n} {place}",
    Level.SMA: "SMA {status} {n} {place}",
    Level.SMK: "SMK {status} {n} {place}",
    Level.SLB: "SLB {status} {place}",
}
PRINCIPALS = [
    "Hj. Rosmawati, S.Pd.",
    "Drs. Syafrizal",
    "Suryani, M.Pd.",
    "Ahmad Fauzi, S.Pd.",
    "Nurhayati, S.Pd.SD",
    "Zulkifli, M.Pd.",
    "Yusnidar, S.Pd.",
    "Budi Santoso, S.Pd.",
    "Erlina, M.Pd.",
    "Hendra Saputra, S.Kom.",
]


def _schools(regencies):
    rng = random.Random(1404)
    rows = []
    for r_index, regency in enumerate(regencies):
        districts = list(District.objects.filter(regency=regency).order_by("code"))
        place = regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")
        serial = 0
        for level, count in PER_REGENCY.items():
            for n in range(1, count + 1):
                serial += 1
                district = districts[(serial * 7) % len(districts)]
                status = Status.NEGERI if n <= max(1, count * 2 // 3) else Status.SWASTA
                complete = rng.random() > 0.15
                rows.append(
                    School(
                        npsn=f"69{r_index:02d}{serial:04d}",
                        name=NAME_PATTERN[level].format(status=status.value.title(), n=n, place=place),
                        level=level,
                        status=status,
                        district=district,
                        regency_id=regency.id,
                        province_id=regency.province_id,
                        address=f"Jl. Pendidikan No. {serial}, {district.name}",
                        accreditation=rng.choice([Accreditation.A, Accreditation.B, Accreditation.B, Accreditation.C])
                        if complete
                        else "",
                        latitude=Decimal(f"{0.5 + rng.random():.6f}") if complete else None,
                        longitude=Decimal(f"{101 + rng.random() * 2:.6f}") if complete else None,
                        principal_name=rng.choice(PRINCIPALS) if complete else "",
                        updated_at=timezone.now(),
                    )
                )
    return rows


def _persona(username, full_name, *, staff=False, superuser=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "full_name": full_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "email": f"{username}@demo.mutu.id",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _membership(user, role, schools=(), **scope):
    membership, _ = Membership.objects.get_or_create(user=user, role=role, valid_from=VALID_FROM, **scope)
    if schools:
        membership.schools.set(schools)
    return membership


# Where the binaan schools of pengawas.kampar stand in their 2026 cycle: (steps accepted, then the
# next document's moves), so that every page of the cycle has content. The first school (kepsek's)
# starts fresh; the last two have not started.
CYCLE_STAGES = [
    (0, []),
    (0, ["submit"]),
    (0, ["submit", "send_back"]),
    (1, []),
    (1, ["submit", "take"]),
    (2, []),
    (3, ["submit"]),
    (5, []),
]


def _cycles(binaan, pengawas):
    for school, (accepted, moves) in zip(binaan, CYCLE_STAGES, strict=False):
        if SchoolCycle.objects.filter(school=school, year=DEMO_ROUND_YEAR).exists():
            continue
        team = school.memberships.filter(role__in=[Role.KEPALA_SEKOLAH, Role.TPMPS]).first()
        if team is None:
            user = _persona(f"tpmps.{school.npsn}", f"TPMPS {school.name}")
            team = _membership(user, Role.TPMPS, school=school)
        cycle = cycle_services.start_cycle(
            actor=team.user, school=school, year=DEMO_ROUND_YEAR, today=date(DEMO_ROUND_YEAR, 8, 1)
        )
        documents = sorted(cycle.documents.all(), key=lambda d: STEPS.index(d.step))
        for document in documents[:accepted]:
            STEP_CONTENT[document.step](cycle, team.user)  # each step's content before it is submitted
            cycle_services.move(actor=team.user, document=document, name="submit")
            cycle_services.move(actor=pengawas, document=document, name="accept", comment="Sudah sesuai.")
        for name in moves:
            actor = team.user if name == "submit" else pengawas
            if name == "submit":
                STEP_CONTENT[documents[accepted].step](cycle, team.user)
            comment = "Akar masalah belum dikaitkan dengan rapor mutu; lengkapi." if name == "send_back" else ""
            cycle_services.move(actor=actor, document=documents[accepted], name=name, comment=comment)


DEMO_ANALYSIS = {
    "strengths": "Guru dan kepala sekolah sudah terbiasa bekerja dalam tim.",
    "weaknesses": "Kegiatan belum dirancang dari data rapor mutu.",
    "problem": "Capaian pada sub-indikator ini di bawah SNP menurut sebagian besar responden.",
    "root_cause": "Belum ada program dan anggaran yang menyasar sub-indikator ini.",
    "recommendation": "Susun program dengan target terukur dan dampingi pelaksanaannya.",
}


def _analyse(cycle, user):
    """The two most urgent proposals of the school's rapor, chosen and analysed."""
    _rapor, proposals, _below = cycle_analysis.propose(cycle)
    for proposal in proposals[:2]:
        problem = cycle_analysis.choose(actor=user, cycle=cycle, node_id=proposal.node.id)
        cycle_analysis.save(actor=user, problem=problem, data=DEMO_ANALYSIS)


def _plan(cycle, user):
    """One program per analysed problem, with one activity improving its sub-indicator."""
    for n, problem in enumerate(cycle.problems.select_related("node"), start=1):
        program = cycle_planning.save_program(
            actor=user, cycle=cycle, data={"name": f"Program {n}: {problem.node.text[:120]}", "problems": [problem]}
        )
        cycle_planning.save_activity(
            actor=user,
            program=program,
            data={
                "year": cycle.year,
                "name": f"Pendampingan {problem.node.code}",
                "indicator": "Guru yang menerapkan hasil pendampingan",
                "target": "75%",
                "volume": Decimal(3),
                "unit": "kali",
                "unit_cost": Decimal(750_000 * n),
                "fund_source": "bos",
                "months": [3, 4, 5],
                "person_in_charge": "Wakil kepala sekolah",
                "nodes": [problem.node],
            },
        )


def _implement(cycle, user):
    """Every activity of the year done, with its cost and a link to its evidence."""
    for activity in cycle_implementation.activities(cycle):
        data = {
            "status": "selesai",
            "started_on": date(cycle.year, activity.months[0], 3),
            "finished_on": date(cycle.year, activity.months[-1], 20),
            "actual_cost": activity.total * Decimal("0.9"),
            "people": "Kepala sekolah, 12 guru, pengawas pembina",
            "notes": "Terlaksana sesuai jadwal.",
        }
        cycle_implementation.record(actor=user, activity=activity, data=data)
        # Links as schools paste them from a drive: long and without a place to break.
        link = f"https://drive.sekolah.example/drive/folders/1Bukti{cycle.school.npsn}Kegiatan{activity.pk}x0AbCdEfGhIjKlMnOpQrStUvWxYz?usp=sharing"
        cycle_implementation.add_evidence(actor=user, activity=activity, link=link, description="Daftar hadir dan foto")


def _evaluate(cycle, user):
    for program in cycle.programs.all():
        for dimension, target, achieved in [
            ("input", "Narasumber dan dana tersedia", "Tersedia"),
            ("proses", "3 kali pendampingan", "3 kali"),
            ("output", "75% guru menerapkan", "80% guru menerapkan"),
            ("outcome", "Nilai sub-indikator naik", "Diukur pada rapor berikutnya"),
        ]:
            data = {"target": target, "achieved": achieved, "met": dimension != "outcome", "note": ""}
            cycle_evaluation.evaluate(actor=user, program=program, dimension=dimension, data=data)


def _decide(cycle, user):
    for node in cycle_evaluation.standards(cycle):
        data = {"decision": "tingkatkan" if node.code in ("2", "5") else "pertahankan", "own_target": None}
        cycle_evaluation.decide(actor=user, cycle=cycle, node=node, data=data | {"note": ""})


# What each step needs before its submission.
STEP_CONTENT = {
    "pemetaan": _analyse,
    "perencanaan": _plan,
    "pelaksanaan": _implement,
    "monev": _evaluate,
    "standar": _decide,
}


@transaction.atomic
def load_demo():
    """Load regions, schools and personas; returns the login table [(username, role, scope)] and a
    respondent code of the demo round that is not yet used, to try the questionnaire with."""
    load_regions()
    province = Province.objects.get(code=PROVINCE_CODE)
    regencies = list(Regency.objects.filter(province=province).order_by("code"))
    rows = _schools(regencies)
    existing = set(School.objects.filter(npsn__in=[s.npsn for s in rows]).values_list("npsn", flat=True))
    School.objects.bulk_create([s for s in rows if s.npsn not in existing])

    kampar = regencies[0]
    kampar_schools = School.objects.filter(regency=kampar).order_by("npsn")
    first_sd = kampar_schools.filter(level=Level.SD).first()
    binaan = list(kampar_schools.filter(level__in=[Level.SD, Level.SMP])[:10])

    personas = [
        (_persona("pusat", "Admin Pusat (Ditjen)", staff=True, superuser=True), Role.ADMIN_PUSAT, {}, ()),
        (_persona("lpmp.riau", "Admin LPMP Riau", staff=True), Role.ADMIN_LPMP, {"province": province}, ()),
        (
            _persona("fasilitator.riau", "Fasilitator LPMP Riau"),
            Role.FASILITATOR,
            {},
            list(School.objects.filter(province=province, level=Level.SMA).order_by("npsn")[:5]),
        ),
        (_persona("dinas.kampar", "Dinas Pendidikan Kampar"), Role.DINAS, {"regency": kampar}, ()),
        (_persona("dinas.riau", "Dinas Pendidikan Provinsi Riau"), Role.DINAS, {"province": province}, ()),
        (_persona("pengawas.kampar", "Pengawas Pembina Kampar"), Role.PENGAWAS, {}, binaan),
        (_persona("kepsek", f"Kepala {first_sd.name}"), Role.KEPALA_SEKOLAH, {"school": first_sd}, ()),
        (_persona("tpmps", f"TPMPS {first_sd.name}"), Role.TPMPS, {"school": first_sd}, ()),
        (_persona("operator", f"Operator {first_sd.name}"), Role.OPERATOR, {"school": first_sd}, ()),
    ]
    table = []
    for user, role, scope, schools in personas:
        membership = _membership(user, role, schools, **scope)
        if role == Role.PENGAWAS and not membership.decree_number:
            membership.decree_number = "800/DISDIK-KPR/2026/017"
            membership.decree_date = VALID_FROM
            membership.valid_to = date(2027, 12, 31)
            membership.save(update_fields=["decree_number", "decree_date", "valid_to"])
        table.append((user.username, str(role.label), str(membership.scope_label)))
    round_ = Round.objects.filter(province=province, year=DEMO_ROUND_YEAR).first()
    if round_ is None:
        round_ = synth_round(
            province=province,
            year=DEMO_ROUND_YEAR,
            name=f"Pemetaan Mutu Riau {DEMO_ROUND_YEAR}",
            # Open for a while whenever the demo is loaded, so that the printed code works.
            closes_on=max(date(DEMO_ROUND_YEAR, 12, 31), timezone.localdate() + timedelta(days=90)),
        )
        score_round(round_.pk)
    with in_app_only():
        _cycles(binaan, pengawas=User.objects.get(username="pengawas.kampar"))
        load_programme(province)
    load_rapor_pendidikan(province, first_sd)
    open_slot = Respondent.objects.filter(round=round_, school=first_sd, submitted_at__isnull=True).first()
    if open_slot is None:
        (open_slot,) = add_respondents(actor=None, round_=round_, school=first_sd, respondent_type="guru", count=1)
    return table, open_slot.code
