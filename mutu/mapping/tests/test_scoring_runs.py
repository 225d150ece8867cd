"""The round page's "compute now": one request at a time per round, run by db_worker, its outcome shown."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from conftest import stuck_worker
from mutu.mapping import scoring, services
from mutu.mapping.models import SchoolScore, ScoringRun

from .test_rapor import services_add
from .test_scoring_processes import stored


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def progress_page(client, round_):
    return client.get(reverse("mapping:progress", args=[round_.pk])).content.decode()


def test_a_double_click_queues_one_run(client, personas, open_round, database_queue):
    client.force_login(personas["lpmp"])
    url = reverse("mapping:score", args=[open_round.pk])
    client.post(url)
    again = client.post(url, follow=True).content.decode()
    assert "sudah dalam antrean atau sedang berjalan" in again
    assert ScoringRun.objects.get().state == "queued" and DBTaskResult.objects.count() == 1
    page = progress_page(client, open_round)
    assert "Penghitungan rapor terakhir: <strong>dalam antrean</strong>" in page
    assert 'hx-trigger="every 5s"' in page  # the block polls while the worker has not finished


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_it_and_the_page_says_so(client, personas, schools, open_round, database_queue):
    services_add(open_round, schools["a"])
    client.force_login(personas["lpmp"])
    client.post(reverse("mapping:score", args=[open_round.pk]))
    work()
    run = ScoringRun.objects.get()
    assert (run.state, run.rapor, run.requested_by) == ("done", 1, personas["lpmp"])
    assert SchoolScore.objects.filter(round=open_round).count() == 1
    page = progress_page(client, open_round)
    assert "<strong>selesai</strong>" in page and "1 rapor sekolah" in page and "every 5s" not in page
    client.post(reverse("mapping:score", args=[open_round.pk]))  # finished: a new request queues again
    assert ScoringRun.objects.filter(state="queued").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_run_names_the_province_for_those_who_manage(
    client, personas, schools, open_round, database_queue, monkeypatch
):
    services_add(open_round, schools["a"])

    def fail(*args):
        raise ValueError("disk penuh")

    monkeypatch.setattr(scoring, "_score_schools", fail)
    services.request_scoring(actor=personas["lpmp"], round_=open_round)
    work()
    # Tried again alone, then the run fails naming the province.
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)) == [
        "SUCCESSFUL",
        "FAILED",
    ]
    run = ScoringRun.objects.get()
    assert (run.state, run.failure) == ("failed", "Riau (14): ValueError: disk penuh")
    assert run.parts.get().attempts == services.PART_ATTEMPTS
    client.force_login(personas["lpmp"])
    assert "Riau (14): ValueError: disk penuh" in progress_page(client, open_round)
    client.force_login(personas["dinas_riau"])
    page = progress_page(client, open_round)
    assert "<strong>gagal</strong>" in page and "disk penuh" not in page


def test_a_run_silent_for_hours_gives_way(personas, open_round, database_queue):
    stuck, queued = services.request_scoring(actor=personas["lpmp"], round_=open_round)
    assert queued and services.request_scoring(actor=personas["lpmp"], round_=open_round) == (stuck, False)
    ScoringRun.objects.filter(pk=stuck.pk).update(
        state="running", requested_at=stuck.requested_at - services.STALE_SCORING_RUN - timedelta(minutes=1)
    )
    run, queued = services.request_scoring(actor=personas["lpmp"], round_=open_round)
    stuck.refresh_from_db()
    assert queued and run != stuck
    assert (stuck.state, stuck.failure) == ("failed", "Tidak ada kabar dari pekerja latar selama tiga jam.")
    assert services.run_part(stuck.parts.get().pk) is None  # its task arriving late scores nothing
    assert ScoringRun.objects.get(pk=stuck.pk).state == "failed"


@pytest.fixture
def national(personas, schools, tiny):
    """A national round with a rapor to score in Riau and in Jambi."""
    from datetime import date

    round_ = services.create_round(
        actor=personas["pusat"],
        name="Nasional",
        year=2026,
        instrument=tiny,
        province=None,
        opens_on=date.today() - timedelta(days=1),
        closes_on=date.today() + timedelta(days=30),
        quotas={"SD": {"ks": 1, "guru": 2}},
    )
    services_add(round_, schools["a"])
    services_add(round_, schools["d"])
    return round_


@pytest.mark.django_db(transaction=True)
def test_a_national_round_is_one_task_per_province_then_one_summing(
    client, personas, national, database_queue, monkeypatch, tmp_path
):
    """Riau and Jambi on different workers; Jambi fails once and is tried again alone; the national
    means are written once, by the final task, after both."""
    from mutu.mapping.models import RegionScore

    real, failed = scoring._score_province, tmp_path / "failed-once"

    def flaky(round_, matrix, province, *args):  # in the forked child: a file remembers
        if province.code == "15" and not failed.exists():
            failed.touch()
            raise OSError("koneksi terputus")
        return real(round_, matrix, province, *args)

    monkeypatch.setattr(scoring, "_score_province", flaky)
    run, queued = services.request_scoring(actor=personas["pusat"], round_=national)
    assert queued and list(run.parts.values_list("province__code", flat=True)) == ["14", "15"]
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--max-tasks", "1")
    assert ScoringRun.objects.get().state == "running"  # one province in, the other still queued
    work()
    run = ScoringRun.objects.get()
    assert (run.state, run.rapor) == ("done", 2)
    assert dict(run.parts.values_list("province__code", "attempts")) == {"14": 1, "15": 2}
    nation = RegionScore.objects.get(round=national, kind="nation")
    assert nation.with_rapor == 2 and nation.schools == 4  # every school of both provinces, two with a rapor
    assert DBTaskResult.objects.filter(task_path__endswith="finish_scoring_task").count() == 1
    client.force_login(personas["pusat"])
    page = progress_page(client, national)
    assert "Provinsi: 2 dari 2 selesai" in page and "dicoba lagi" not in page


STUCK_WORKER = """
import pathlib, sys, time
import django
django.setup()
from django.core.management import call_command
from mutu.mapping import scoring
real = scoring._score_schools

def stuck(round_, matrix, chunk, regions):  # in the province's child, inside its transaction
    scored = real(round_, matrix, chunk, regions)
    if chunk[0][3] == "15":
        pathlib.Path(sys.argv[1]).touch()
        time.sleep(600)
    return scored

scoring._score_schools = stuck
call_command("db_worker", "--no-startup-delay", "--interval", "0")
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the lease is a PostgreSQL row lock")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_province_leaves_it_to_another(personas, national, database_queue, monkeypatch, tmp_path):
    """A real worker process is killed while it writes Jambi; while it lived its lease held, once it
    is dead another worker scores Jambi and sums the nation: every school once, the same means as a
    clean one-process run."""
    from mutu.mapping.models import ScoringPart

    monkeypatch.setattr(services, "LEASE_GRACE", timedelta(0))
    run, _ = services.request_scoring(actor=personas["pusat"], round_=national)
    with stuck_worker(STUCK_WORKER, tmp_path / "inside-jambi"):
        jambi = run.parts.get(province__code="15")
        assert jambi.state == "running" and services.recover_parts() == 0  # alive: its lease holds
    for _ in range(100):  # the province's child dies with its worker, and its connection with it
        if services.recover_parts():
            break
        time.sleep(0.1)
    jambi.refresh_from_db()
    assert (jambi.state, jambi.attempts) == ("queued", 1) and "berhenti" in jambi.failure
    work()
    run.refresh_from_db()
    assert (run.state, run.rapor) == ("done", 2)
    assert dict(run.parts.values_list("province__code", "attempts")) == {"14": 1, "15": 2}
    assert ScoringPart.objects.filter(run=run, state="done").count() == 2
    assert sorted(SchoolScore.objects.filter(round=national).values_list("school__npsn", flat=True)) == [
        "10400001",
        "10500001",
    ]
    by_tasks = stored(national)
    scoring.score_round(national.pk)
    assert stored(national) == by_tasks
