"""Backup and restore (django-dbbackup, docs/production.md): the database and the uploaded files of a
running Mutu are backed up, restored by the documented commands on a fresh database and an empty
files folder, and every rapor, plan, evidence file and certificate is found there as before."""

# ruff: noqa: F811 — the fixtures imported from other apps' tests are parameters here

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from mutu.cycle import implementation, planning
from mutu.cycle.models import CycleDocument, State, Step
from mutu.cycle.services import start_cycle
from mutu.mapping.tests.conftest import open_round, scored_round, tiny  # noqa: F401 (shared fixtures)
from mutu.programme import certificates
from mutu.programme.tests.conftest import cohort, event  # noqa: F401
from mutu.programme.tests.test_certificates import attended  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # the dump sees committed rows only

# What must come back, read the same way before and after (also run by the restored Mutu's shell).
SNAPSHOT = """
import hashlib, json
from django.core.files.storage import default_storage
from mutu.cycle.models import Activity, Evidence
from mutu.mapping.models import SchoolScore
from mutu.programme.models import Certificate, Event

def digest(name):
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()

snapshot = {
    "rapor": sorted(
        [s.school.npsn, s.round.name, s.total_published, hashlib.sha256(bytes(s.values)).hexdigest()]
        for s in SchoolScore.objects.select_related("school", "round")
    ),
    "plan": sorted(
        [a.program.cycle.school.npsn, a.program.cycle.year, a.program.name, a.name, str(a.unit_cost)]
        for a in Activity.objects.select_related("program__cycle__school")
    ),
    "evidence": sorted([e.activity.name, e.original_name, digest(e.file.name)] for e in Evidence.objects.all()),
    "certificates": sorted(Certificate.objects.values_list("number", "check_code", "participant__name")),
    "zips": sorted(
        [e.certificates_zip.name, digest(e.certificates_zip.name)] for e in Event.objects.exclude(certificates_zip="")
    ),
}
print(json.dumps(snapshot, default=str))
"""


def _populated(personas, schools, event):
    """A plan with an evidence file for school a (its rapor comes from `scored_round`) and the
    event's certificates made into their ZIP."""
    team = personas["kepsek_a"]
    cycle = start_cycle(actor=team, school=schools["a"], year=2026, today=date(2026, 8, 1))
    program = planning.save_program(actor=team, cycle=cycle, data={"name": "Literasi"})
    activity = planning.save_activity(
        actor=team,
        program=program,
        data={
            "year": 2026,
            "name": "Pojok baca",
            "indicator": "Kelas dengan pojok baca",
            "target": "10",
            "volume": Decimal(10),
            "unit": "kelas",
            "unit_cost": Decimal(250_000),
            "fund_source": "bos",
            "months": [8],
            "person_in_charge": "Wali kelas",
            "nodes": [],
        },
    )
    earlier = [Step.MAPPING, Step.PLANNING]
    CycleDocument.objects.filter(cycle=cycle, step__in=earlier).update(state=State.ACCEPTED)
    implementation.add_evidence(
        actor=team,
        activity=activity,
        upload=SimpleUploadedFile("foto.pdf", b"%PDF-1.4\n%\xe2\xe3\nbukti kegiatan\n%%EOF\n"),
        link="",
        description="Foto",
    )
    certificates.generate(event.pk, site="https://mutu.example.go.id")


def _run(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_backup_restores_on_a_fresh_database_with_every_file(
    personas,
    schools,
    scored_round,
    event,
    attended,
    tmp_path,
    monkeypatch,
    capsys,
):
    from dbbackup import settings as dbbackup_settings

    _populated(personas, schools, event)
    capsys.readouterr()
    exec(SNAPSHOT, {})  # noqa: S102 — the same reading as the restored side's
    before = json.loads(capsys.readouterr().out)
    assert all(before.values()), before  # something of each kind to find again
    monkeypatch.setitem(dbbackup_settings.STORAGE_OPTIONS, "location", str(tmp_path / "backups"))
    # While Mutu runs: the database first, then the files (uploads are written once; see the docs).
    call_command("dbbackup", "--noinput", "-o", "mutu.dump")
    call_command("mediabackup", "--noinput", "-o", "media.tar")
    backups = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert {"mutu.dump", "media.tar"} <= set(backups)

    env = {
        **os.environ,
        "MUTU_MEDIA_ROOT": str(tmp_path / "restored-media"),
        "MUTU_BACKUP_DIR": str(tmp_path / "backups"),
    }
    fresh = None
    if connection.vendor == "postgresql":
        fresh = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            cursor.execute(f'CREATE DATABASE "{fresh}"')
        params = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{fresh}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    try:
        _run(env, "dbrestore", "--noinput", "-I", str(tmp_path / "backups" / "mutu.dump"))
        _run(env, "mediarestore", "--noinput", "-I", str(tmp_path / "backups" / "media.tar"))
        after = json.loads(_run(env, "shell", "-c", SNAPSHOT).strip().splitlines()[-1])
    finally:
        if fresh:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    assert after == before
