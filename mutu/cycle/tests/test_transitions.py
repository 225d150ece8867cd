"""The cycle's document moves: every allowed move by the right role works and is recorded; every other
one (wrong role, wrong state, another school, no comment, an earlier step not accepted) is refused and
changes nothing."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from mutu.core.models import AuditEntry, Notification
from mutu.core.tests.test_access_matrix import PERSONAS, allowed
from mutu.cycle import services
from mutu.cycle.models import CycleDocument, CycleSetting, Problem, SchoolCycle, State, Step, Transition
from mutu.instruments.models import Node
from mutu.schools.models import School

SOURCES = {
    "submit": [State.DRAFT, State.REVISION],
    "take": [State.SUBMITTED],
    "accept": [State.SUBMITTED, State.IN_REVIEW],
    "send_back": [State.SUBMITTED, State.IN_REVIEW],
    "withdraw": [State.SUBMITTED],
}


@pytest.fixture
def cycle(personas, schools, open_round, tiny):
    """School a's 2026 cycle with its analysis written, so that its first step can be submitted."""
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(cycle, open_round)
    return cycle


def analysed(cycle, round_):
    Problem.objects.create(
        cycle=cycle,
        node=Node.objects.get(version=round_.instrument, code="1.1.1"),
        round=round_,
        problem="Guru jarang merancang penilaian.",
        root_cause="Belum ada pelatihan penilaian.",
        recommendation="Pelatihan penilaian autentik.",
    )


def accept_before(cycle, step):
    """Mark the steps before `step` accepted, as the reviewers would have."""
    earlier = cycle.steps[: cycle.steps.index(step)]
    CycleDocument.objects.filter(cycle=cycle, step__in=earlier).update(state=State.ACCEPTED)


def document(cycle, step=Step.MAPPING):
    return CycleDocument.objects.get(cycle=cycle, step=step)


def set_state(doc, state):
    CycleDocument.objects.filter(pk=doc.pk).update(state=state)


@pytest.mark.parametrize("name", sorted(services.MOVES))
@pytest.mark.parametrize("state", list(State))
def test_each_move_from_each_state_by_each_persona(personas, schools, cycle, name, state):
    perm, _needs_comment = services.MOVES[name]
    doc = document(cycle)
    school_a = ("any", School.objects.filter(pk=schools["a"].pk))
    for username in PERSONAS:
        set_state(doc, state)
        before = Transition.objects.count()
        expected = allowed(personas[username], perm, school_a) and state in SOURCES[name]
        try:
            services.move(actor=personas[username], document=doc, name=name, comment="Lengkapi bukti.")
        except services.CycleError:
            assert not expected, (username, name, state)
            assert CycleDocument.objects.get(pk=doc.pk).state == state and Transition.objects.count() == before
        else:
            assert expected, (username, name, state)
            move = Transition.objects.latest("id")
            assert (move.actor, move.source, move.target) == (personas[username], state, document(cycle).state)


def test_the_team_withdraws_a_submission_until_the_review_starts(client, personas, cycle):
    doc = document(cycle)
    client.force_login(personas["kepsek_a"])
    move = lambda name, comment="": client.post(  # noqa: E731
        reverse("cycle:move", args=[cycle.school.npsn, 2026, "pemetaan", name]), {"comment": comment}, follow=True
    )
    move("submit")
    page = move("withdraw").content.decode()
    assert "Sebutkan mengapa pengajuan ditarik" in page and document(cycle).state == State.SUBMITTED
    move("withdraw", "Akar masalah kedua belum ditulis.")
    assert document(cycle).state == State.DRAFT
    withdrawn = Transition.objects.latest("id")
    assert (withdrawn.source, withdrawn.target, withdrawn.comment) == (
        State.SUBMITTED,
        State.DRAFT,
        "Akar masalah kedua belum ditulis.",
    )
    assert AuditEntry.objects.filter(action="cycle.withdraw").exists()
    assert Notification.objects.filter(user=personas["pengawas"], text__contains="menarik").exists()
    move("submit")
    services.move(actor=personas["pengawas"], document=doc, name="take")
    assert "tidak dapat dilakukan" in move("withdraw", "terlambat").content.decode()
    assert document(cycle).state == State.IN_REVIEW


def test_asking_for_revision_needs_a_comment(personas, cycle):
    doc = document(cycle)
    services.move(actor=personas["tpmps_a"], document=doc, name="submit")
    with pytest.raises(services.CycleError, match="komentar wajib diisi"):
        services.move(actor=personas["pengawas"], document=doc, name="send_back", comment="  ")
    assert document(cycle).state == State.SUBMITTED


def test_a_step_waits_for_the_earlier_ones(personas, cycle):
    planning = document(cycle, Step.PLANNING)
    with pytest.raises(services.CycleError, match="Langkah sebelumnya harus diterima dahulu: pemetaan mutu"):
        services.move(actor=personas["kepsek_a"], document=planning, name="submit")
    doc = document(cycle)
    services.move(actor=personas["kepsek_a"], document=doc, name="submit")
    services.move(actor=personas["lpmp"], document=doc, name="accept")
    # The earlier step no longer stops it; the plan's own content does (test_planning.py).
    with pytest.raises(services.CycleError, match="Rencana belum berisi kegiatan"):
        services.move(actor=personas["kepsek_a"], document=planning, name="submit")


def test_a_double_click_changes_nothing(personas, cycle):
    doc = document(cycle)
    services.move(actor=personas["kepsek_a"], document=doc, name="submit")
    with pytest.raises(services.CycleError, match="diajukan"):
        services.move(actor=personas["kepsek_a"], document=doc, name="submit")
    assert Transition.objects.count() == 1
    assert services.start_cycle(actor=personas["kepsek_a"], school=cycle.school, year=2026) == cycle
    assert SchoolCycle.objects.count() == 1 and CycleDocument.objects.count() == 5


def test_people_are_told_in_the_app_and_by_mail(personas, cycle, django_capture_on_commit_callbacks):
    doc = document(cycle)
    with django_capture_on_commit_callbacks(execute=True):
        services.move(actor=personas["tpmps_a"], document=doc, name="submit")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"pengawas", "lpmp"}  # the school's pengawas and its province's LPMP
    assert len(mail.outbox) == 1 and "mengajukan" in mail.outbox[0].subject
    Notification.objects.all().delete()
    services.move(actor=personas["pengawas"], document=doc, name="send_back", comment="Akar masalah belum ada.")
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"kepsek_a", "tpmps_a"}
    assert document(cycle).comments.get().text == "Akar masalah belum ada."
    assert AuditEntry.objects.filter(action="cycle.send_back").exists()


def test_entry_step_and_due_dates_come_from_the_province(personas, schools):
    CycleSetting.objects.create(
        province=schools["a"].province, entry_step=Step.PLANNING, due_dates={"perencanaan": "03-31"}
    )
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2027)
    assert list(cycle.documents.order_by("id").values_list("step", flat=True)) == [
        "perencanaan",
        "pelaksanaan",
        "monev",
        "standar",
    ]
    assert document(cycle, Step.PLANNING).due_on == date(2027, 3, 31)
    with pytest.raises(services.CycleError):
        services.start_cycle(actor=personas["pengawas"], school=schools["b"], year=2027)


def test_reminders_once_a_day_before_the_due_date(personas, cycle):
    today = date(2026, 3, 25)
    CycleDocument.objects.filter(pk=document(cycle).pk).update(due_on=today + timedelta(days=3))
    assert services.send_reminders(today) == 1
    assert services.send_reminders(today) == 0
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"kepsek_a", "tpmps_a"}
    services.move(actor=personas["kepsek_a"], document=document(cycle), name="submit")
    assert services.send_reminders(today + timedelta(days=1)) == 0  # submitted: nothing to remind


def test_the_school_page_offers_each_role_its_moves(client, personas, cycle):
    url = reverse("cycle:school", args=[cycle.school.npsn, 2026])
    client.force_login(personas["kepsek_a"])
    page = client.get(url).content.decode()
    assert "Ajukan untuk ditelaah" in page and "Terima" not in page
    client.post(reverse("cycle:move", args=[cycle.school.npsn, 2026, "pemetaan", "submit"]))
    client.force_login(personas["pengawas"])
    page = client.get(url).content.decode()
    assert "Minta revisi" in page and "Ajukan untuk ditelaah" not in page
    response = client.post(
        reverse("cycle:move", args=[cycle.school.npsn, 2026, "pemetaan", "send_back"]), {"comment": ""}, follow=True
    )
    assert "komentar wajib diisi" in response.content.decode()
    client.post(reverse("cycle:comment", args=[cycle.school.npsn, 2026, "pemetaan"]), {"text": "Sudah bagus."})
    page = client.get(url).content.decode()
    assert "Sudah bagus." in page and "Riwayat" in page


def test_the_queue_puts_what_waits_on_the_reviewer_first(client, personas, schools, open_round):
    first = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    analysed(first, open_round)
    services.start_cycle(actor=personas["kepsek_b"], school=schools["b"], year=2026)
    services.move(actor=personas["kepsek_a"], document=document(first), name="submit")
    client.force_login(personas["lpmp"])
    page = client.get(reverse("cycle:home"), {"year": 2026}).content.decode()
    assert page.index(schools["a"].name) < page.index(schools["b"].name)
    assert "menunggu telaah Anda" in page
    client.force_login(personas["kepsek_a"])  # a school's own team goes straight to its cycle
    assert client.get(reverse("cycle:home")).status_code == 302


def test_province_settings_are_validated_and_scoped(client, personas, schools):
    url = reverse("cycle:configure", args=["14"])
    client.force_login(personas["lpmp_jambi"])
    assert client.get(url).status_code == 404
    client.force_login(personas["lpmp"])
    for wrong in ("13-40", "03-31", "31 Maretan"):  # month first is refused: 31 is no month
        page = client.post(url, {"entry_step": "pemetaan", "due_pemetaan": wrong}).content.decode()
        assert "Tulis hari, lalu bulan: 31-03 atau 31 Maret." in page and not CycleSetting.objects.exists()
    page = client.post(url, {"entry_step": "pemetaan", "due_pemetaan": "31-02"}).content.decode()
    assert "Tanggal 31-02 tidak ada." in page
    out_of_order = {"entry_step": "pemetaan", "due_pemetaan": "30 Juni", "due_perencanaan": "31 Maret"}
    page = client.post(url, out_of_order).content.decode()
    assert "Tenggat “perencanaan” jatuh sebelum “pemetaan mutu”" in page and not CycleSetting.objects.exists()
    client.post(url, {"entry_step": "perencanaan", "due_pemetaan": "31-3", "due_perencanaan": "30 Juni"})
    setting = CycleSetting.objects.get()
    assert (setting.entry_step, setting.due_dates) == ("perencanaan", {"pemetaan": "03-31", "perencanaan": "06-30"})
    page = client.get(url).content.decode()  # shown again day first, with the month's name
    assert 'value="31 Maret"' in page and 'value="30 Juni"' in page


def test_a_due_date_of_29_february_falls_on_the_28th_in_a_common_year(personas, schools):
    CycleSetting.objects.create(province=schools["a"].province, due_dates={"pemetaan": "02-29"})
    cycle = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2027)
    assert cycle.documents.get(step=Step.MAPPING).due_on == date(2027, 2, 28)
    assert services._due(CycleSetting.objects.get(), Step.MAPPING, 2028) == date(2028, 2, 29)


def test_the_review_to_do_lists_only_the_cycles_waiting(client, personas, schools):
    waiting = services.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    services.start_cycle(actor=personas["kepsek_b"], school=schools["b"], year=2026)
    CycleDocument.objects.filter(cycle=waiting, step=Step.MAPPING).update(state=State.SUBMITTED)
    client.force_login(personas["lpmp"])
    home = client.get(reverse("home")).content.decode()
    link = reverse("cycle:home") + "?year=2026&amp;waiting=1"
    assert link in home
    page = client.get(reverse("cycle:home"), {"year": 2026, "waiting": 1}).content.decode()
    assert schools["a"].name in page and schools["b"].name not in page
