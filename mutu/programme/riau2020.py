"""The Riau 2020 example (seed 000, LPMP Riau): the online stage-1 mentoring of the model schools,
1,417 participants from 12 kab/kota in three date clusters.

The source counts Kuantan Singingi's 83 participants but names it in none of the three date clusters:
its session is kept without a date (never an invented one), and the recap page says so.

Used by the demo, the recap tests and bench/. The schools it needs (240 model schools, 960 imbas
schools) are generated with NPSNs 7RRSSSSS (RR: the kab/kota's place in the province's list)."""

import csv
from datetime import date
from pathlib import Path

from django.utils import timezone

from mutu.regions.models import District, Regency
from mutu.schools.models import Level, School, Status

# kab/kota (as in the source) → (TPMPD, pengawas pembina, kepala sekolah binaan, kepala sekolah imbas)
PARTICIPANTS = {
    "Bengkalis": (2, 15, 21, 88),
    "Indragiri Hilir": (2, 12, 16, 60),
    "Indragiri Hulu": (2, 18, 25, 93),
    "Kampar": (2, 29, 34, 113),
    "Kepulauan Meranti": (2, 13, 15, 57),
    "Kuantan Singingi": (1, 9, 13, 60),
    "Pelalawan": (2, 13, 15, 63),
    "Rokan Hilir": (2, 16, 21, 85),
    "Rokan Hulu": (2, 20, 22, 88),
    "Siak": (2, 17, 20, 89),
    "Dumai": (2, 8, 10, 39),
    "Pekanbaru": (2, 24, 28, 125),
}
TOTALS = (23, 194, 240, 960, 1417)
ROLES = ("Anggota TPMPD", "Pengawas Pembina", "Kepala Sekolah Binaan", "Kepala Sekolah Imbas")
# The three date clusters of the source; Kuantan Singingi is in none of them.
CLUSTERS = [
    ("Kelompok 15–16 Oktober", date(2020, 10, 15), ["Indragiri Hilir", "Indragiri Hulu"]),
    (
        "Kelompok 17–18 Oktober",
        date(2020, 10, 17),
        ["Bengkalis", "Kepulauan Meranti", "Pelalawan", "Rokan Hilir", "Dumai", "Pekanbaru"],
    ),
    ("Kelompok 19–20 Oktober", date(2020, 10, 19), ["Kampar", "Rokan Hulu", "Siak"]),
    ("Kuantan Singingi (tanggal tidak tercantum)", None, ["Kuantan Singingi"]),
]
EVENT_NAME = "Pendampingan Sekolah Binaan LPMP Riau Daring Tahap 1"
COHORT_NAME = "Sekolah Pelaksana SPMI Binaan LPMP Riau"


def regencies():
    """{name as in the source: Regency} of Riau."""
    found = {}
    for regency in Regency.objects.filter(province__code="14"):
        found[regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")] = regency
    return {name: found[name] for name in PARTICIPANTS}


def _npsn(place, kind, n):
    index = list(PARTICIPANTS).index(place)
    return f"7{index:02d}{kind}{n:04d}"  # kind 1: model school, 2: imbas school


def ensure_schools():
    """The model and imbas schools of the example, created when missing. Returns
    {place: ([model schools], [imbas schools])}."""
    places = regencies()
    wanted = []
    for place, (_tpmpd, _pengawas, models, imbas) in PARTICIPANTS.items():
        regency = places[place]
        districts = list(District.objects.filter(regency=regency).order_by("code"))
        for kind, count in ((1, models), (2, imbas)):
            for n in range(1, count + 1):
                level = Level.SD if n % 3 else Level.SMP
                wanted.append(
                    School(
                        npsn=_npsn(place, kind, n),
                        name=f"{level} Negeri {'Binaan' if kind == 1 else 'Imbas'} {n:03d} {place}",
                        level=level,
                        status=Status.NEGERI,
                        district=districts[n % len(districts)],
                        regency_id=regency.id,
                        province_id=regency.province_id,
                        updated_at=timezone.now(),
                    )
                )
    existing = set(School.objects.filter(npsn__in=[s.npsn for s in wanted]).values_list("npsn", flat=True))
    School.objects.bulk_create([s for s in wanted if s.npsn not in existing], batch_size=1000)
    schools = {s.npsn: s for s in School.objects.filter(npsn__in=[s.npsn for s in wanted])}
    result = {}
    for place, (_tpmpd, _pengawas, models, imbas) in PARTICIPANTS.items():
        result[place] = (
            [schools[_npsn(place, 1, n)] for n in range(1, models + 1)],
            [schools[_npsn(place, 2, n)] for n in range(1, imbas + 1)],
        )
    return result


def ensure_network(cohort, lpmp):
    """The example's 240 model schools designated in the cohort (one SK) and its 960 imbas schools spread
    over them, as the LPMP had them. Returns (ensure_schools()'s result, the model-school records)."""
    from django.contrib.contenttypes.models import ContentType

    from .models import ImbasSchool, ModelSchool, ModelSchoolStatus, StatusChange

    schools = ensure_schools()
    decree = ("800/LPMP.RIAU/2020/071", date(2020, 3, 2))
    records = ModelSchool.objects.bulk_create(
        ModelSchool(
            cohort=cohort,
            school=school,
            status=ModelSchoolStatus.DESIGNATED,
            proposed_by=lpmp,
            regional_support=True,
            decree_number=decree[0],
            decree_date=decree[1],
        )
        for models, _imbas in schools.values()
        for school in models
    )
    kind = ContentType.objects.get_for_model(ModelSchool)
    StatusChange.objects.bulk_create(
        StatusChange(content_type=kind, object_id=r.pk, actor=lpmp, source="calon", target=r.status) for r in records
    )
    by_school = {r.school_id: r for r in records}
    imbas_rows = []
    for models, imbas in schools.values():
        for n, school in enumerate(imbas):  # spread evenly over the kab/kota's model schools
            imbas_rows.append(
                ImbasSchool(
                    cohort=cohort, model_school=by_school[models[n % len(models)].pk], school=school, added_by=lpmp
                )
            )
    ImbasSchool.objects.bulk_create(imbas_rows)
    return schools, records


def participant_rows():
    """The participants as the LPMP's spreadsheet would list them: (name, role, kab/kota, NPSN)."""
    for place, counts in PARTICIPANTS.items():
        for role, count in zip(ROLES, counts, strict=True):
            for n in range(1, count + 1):
                if role == "Kepala Sekolah Binaan":
                    yield f"Kepala SD Binaan {n:03d} {place}", role, place, _npsn(place, 1, n)
                elif role == "Kepala Sekolah Imbas":
                    yield f"Kepala Sekolah Imbas {n:03d} {place}", role, place, _npsn(place, 2, n)
                else:
                    yield f"{role} {place} {n:02d}", role, place, ""


def write_participant_file(path, encoding="cp1252"):
    """The participant file as Excel on Windows saves a "CSV": semicolons, Windows-1252."""
    with Path(path).open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["No", "Nama", "Peran", "Kab/Kota", "NPSN", "NIP", "Kontak"])
        for number, (name, role, place, npsn) in enumerate(participant_rows(), start=1):
            writer.writerow([number, name, role, place, npsn, "", ""])
    return path
