"""The good-practice library: a school proposes an activity of an accepted cycle whose Rapor
Pendidikan indicator improved; the LPMP of its province publishes (province or nation), returns with
a note or withdraws; the library is searchable and scoped; the Benahi step suggests them, the model
school's first for its imbas schools."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.accounts.models import Membership, Role, User
from mutu.accounts.scopes import UNRESTRICTED
from mutu.core.models import AuditEntry
from mutu.cycle import analysis, implementation, planning
from mutu.cycle.models import Activity, ActivityStatus, CycleDocument, State, Step
from mutu.cycle.services import start_cycle
from mutu.pbd import importing, practices, samples, selectors
from mutu.pbd.models import Indicator, Practice

ACTIVITY = {
    "year": 2024,
    "name": "Membaca berjenjang setiap pagi",
    "indicator": "Peserta didik yang membaca lancar",
    "target": "80%",
    "volume": D(10),
    "unit": "buku",
    "unit_cost": D(50_000),
    "fund_source": "bos",
    "months": [8, 9],
    "person_in_charge": "Koordinator literasi",
    "description": "Asesmen awal dan buku berjenjang",
    "nodes": [],
}


def achievements(tmp_path, scores):
    """Import A.1 scores: {year: {school: score}}."""
    for year, by_school in scores.items():
        path = tmp_path / f"list-{year}.xlsx"
        rows = [(school, {"A.1": D(score)}) for school, score in by_school.items()]
        samples.school_list(path, year=year, region_name="Riau", indicators=[("A.1", "Literasi")], rows=rows)
        assert importing.run(path, scope=UNRESTRICTED, original_name=path.name).saved


def done_activity(team, school, *, accept=True):
    """A 2024 cycle that chose A.1, planned one activity, did it (with a file as evidence) and, unless
    `accept` is False, had its implementation accepted."""
    cycle = start_cycle(actor=team, school=school, year=2024, today=date(2024, 8, 1))
    literacy = Indicator.objects.get(framework__year=2024, code="A.1")
    problem = analysis.choose_indicator(actor=team, cycle=cycle, indicator_id=literacy.pk)
    analysis.save(
        actor=team,
        problem=problem,
        data={
            "strengths": "",
            "weaknesses": "",
            "problem": "Literasi kurang",
            "root_cause": "Bahan bacaan tidak berjenjang",
            "recommendation": "",
            "root_indicator": literacy.children.first(),
        },
    )
    program = planning.save_program(actor=team, cycle=cycle, data={"name": "Literasi", "problems": [problem]})
    activity = planning.save_activity(actor=team, program=program, data=ACTIVITY)
    # The cycle's own moves are tested in the cycle app: here its steps are simply accepted.
    documents = CycleDocument.objects.filter(cycle=cycle)
    documents.filter(step__in=[Step.MAPPING, Step.PLANNING]).update(state=State.ACCEPTED)
    implementation.record(
        actor=team,
        activity=activity,
        data={
            "status": "selesai",
            "started_on": date(2024, 8, 1),
            "finished_on": date(2024, 9, 30),
            "actual_cost": D(480_000),
            "people": "Guru",
            "notes": "Terlaksana.",
        },
    )
    implementation.add_evidence(
        actor=team,
        activity=activity,
        upload=SimpleUploadedFile("jurnal.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        link="",
        description="Jurnal membaca",
    )
    if accept:
        documents.filter(step=Step.IMPLEMENTATION).update(state=State.ACCEPTED)
    return activity


@pytest.fixture
def jambi_kepsek(schools):
    user = User.objects.create_user("kepsek_jambi", password="x")
    Membership.objects.create(user=user, role=Role.KEPALA_SEKOLAH, school=schools["d"])
    return user


@pytest.fixture
def improved_activity(personas, schools, tmp_path):
    achievements(
        tmp_path, {2024: {schools["a"]: "40", schools["b"]: "50"}, 2025: {schools["a"]: "55", schools["b"]: "45"}}
    )
    return done_activity(personas["kepsek_a"], schools["a"])


def propose(personas, activity, **changes):
    data = practices.draft(activity, practices.improved(activity)) | changes
    return practices.propose(actor=personas["kepsek_a"], activity=activity, data=data)


def test_only_a_done_activity_of_an_accepted_cycle_whose_indicator_improved(personas, schools, tmp_path):
    achievements(tmp_path, {2024: {schools["a"]: "40", schools["b"]: "50"}})
    activity = done_activity(personas["kepsek_a"], schools["a"], accept=False)
    with pytest.raises(practices.PracticeError, match="pelaksanaan siklus belum diterima"):
        practices.improved(activity)
    CycleDocument.objects.filter(cycle=activity.program.cycle, step=Step.IMPLEMENTATION).update(state=State.ACCEPTED)
    with pytest.raises(practices.PracticeError, match="belum ada di Mutu"):
        practices.improved(activity)  # 2025 is not in yet
    achievements(tmp_path, {2025: {schools["a"]: "38", schools["b"]: "60"}})
    with pytest.raises(practices.PracticeError, match="tidak membaik"):
        practices.improved(activity)
    achievements(tmp_path, {2025: {schools["a"]: "47.5", schools["b"]: "60"}})
    effect = practices.improved(activity)
    assert (effect.before, effect.after) == (D("40.00"), D("47.50"))
    activity.status = "berjalan"
    activity.save()
    with pytest.raises(practices.PracticeError, match="sudah selesai"):
        practices.improved(activity)
    assert practices.candidates(schools["a"]) == []


def test_the_school_proposes_once_and_the_story_is_copied(personas, schools, improved_activity):
    assert [a.pk for a, _e in practices.candidates(schools["a"])] == [improved_activity.pk]
    with pytest.raises(practices.PracticeError, match="tim sekolah"):
        practices.propose(
            actor=personas["kepsek_b"],
            activity=improved_activity,
            data=practices.draft(improved_activity, practices.improved(improved_activity)),
        )
    practice = propose(personas, improved_activity)
    assert practice.state == "proposed" and practice.school == schools["a"] and practice.level == "SD"
    assert (practice.before, practice.after, practice.cost) == (D("40.00"), D("55.00"), D(480000))
    assert practice.root_cause == "Bahan bacaan tidak berjenjang" and practice.evidence.count() == 1
    assert practice.result == "A.1 naik dari 40,00 menjadi 55,00."
    with pytest.raises(practices.PracticeError, match="sudah diusulkan"):
        propose(personas, improved_activity)  # a second click changes nothing
    assert Practice.objects.count() == 1 and practices.candidates(schools["a"]) == []
    improved_activity.name = "Nama baru"
    improved_activity.save()
    assert Practice.objects.get().title == "Membaca berjenjang setiap pagi"  # a later edit of the plan changes nothing
    assert AuditEntry.objects.filter(action="pbd.practice.propose").count() == 1


def test_the_lpmp_of_the_province_reviews(personas, schools, improved_activity):
    practice = propose(personas, improved_activity)
    for outsider in ("lpmp_jambi", "dinas_kampar", "kepsek_a"):
        with pytest.raises(practices.PracticeError):
            practices.review(actor=personas[outsider], practice=practice, decision="publish", reach="province")
    with pytest.raises(practices.PracticeError, match="catatan"):
        practices.review(actor=personas["lpmp"], practice=practice, decision="return", note=" ")
    with pytest.raises(practices.PracticeError, match="provinsi atau nasional"):
        practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="")
    practices.review(actor=personas["lpmp"], practice=practice, decision="return", note="Tambahkan biaya per kelas.")
    assert Practice.objects.get().state == "returned"
    assert practices.candidates(schools["a"]) == []  # corrected from its own page, not offered twice
    propose(personas, improved_activity, action="Asesmen awal, buku berjenjang, Rp 48.000 per kelas")
    practice = Practice.objects.get()
    assert practice.state == "proposed" and practice.review_note == "" and "per kelas" in practice.action
    practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="nation", note="")
    with pytest.raises(practices.PracticeError, match="sudah"):
        practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="nation")
    with pytest.raises(practices.PracticeError, match="catatan"):
        practices.review(actor=personas["lpmp"], practice=practice, decision="withdraw", note="")
    practices.review(actor=personas["lpmp"], practice=practice, decision="withdraw", note="Data dikoreksi.")
    assert Practice.objects.get().state == "withdrawn"
    assert list(
        AuditEntry.objects.filter(action__startswith="pbd.practice").order_by("pk").values_list("action", flat=True)
    ) == [
        "pbd.practice.propose",
        "pbd.practice.return",
        "pbd.practice.propose",
        "pbd.practice.publish",
        "pbd.practice.withdraw",
    ]


def test_who_reads_a_practice(personas, schools, improved_activity, jambi_kepsek):
    practice = propose(personas, improved_activity)

    def readers():
        return {
            name
            for name in ("kepsek_a", "kepsek_b", "pengawas", "lpmp", "lpmp_jambi", "dinas_pekanbaru", "pusat")
            if selectors.practices_for(personas[name]).filter(pk=practice.pk).exists()
        } | ({"jambi"} if selectors.practices_for(jambi_kepsek).filter(pk=practice.pk).exists() else set())

    assert readers() == {"kepsek_a", "pengawas", "lpmp", "pusat"}  # waiting: its school, its reviewers
    practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="province")
    assert readers() == {"kepsek_a", "kepsek_b", "pengawas", "lpmp", "dinas_pekanbaru", "pusat"}
    Practice.objects.filter(pk=practice.pk).update(reach="nation")
    assert readers() >= {"lpmp_jambi", "jambi"}


def test_the_library_page_searches_and_exports(login, personas, schools, improved_activity):
    practice = propose(personas, improved_activity)
    practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="province")
    client = login(personas["kepsek_b"])
    url = reverse("pbd:practices")
    page = client.get(url).content.decode()
    assert "Membaca berjenjang setiap pagi" in page and "SD Negeri 001 Bangkinang" in page
    for query, found in (
        ({"indikator": "A.1"}, True),
        ({"jenjang": "SMA"}, False),
        ({"kabkota": schools["b"].regency.code}, False),
        ({"kabkota": schools["a"].regency.code, "q": "berjenjang"}, True),
        ({"q": "tidak ada kata ini"}, False),
        ({"status": "proposed"}, False),
        ({"indikator": "Z.9", "page": "-3"}, False),
        ({"status": "gone", "page": "x"}, True),  # an unknown status: the published ones
    ):
        page = client.get(url, query).content.decode()
        assert ("Membaca berjenjang setiap pagi" in page) is found, query
    assert "Tidak ada praktik baik yang cocok" in client.get(url, {"q": "tidak ada kata ini"}).content.decode()
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "Membaca berjenjang setiap pagi" in csv and "SD Negeri 001 Bangkinang" in csv
    detail = client.get(reverse("pbd:practice", args=[practice.pk])).content.decode()
    assert "Bahan bacaan tidak berjenjang" in detail and "Jurnal membaca" in detail and "Tinjau" not in detail
    evidence = practice.evidence.get()
    response = client.get(reverse("pbd:practice_evidence", args=[practice.pk, evidence.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    other = login(personas["lpmp_jambi"])
    assert other.get(reverse("pbd:practice", args=[practice.pk])).status_code == 404
    assert other.get(reverse("pbd:practice_evidence", args=[practice.pk, evidence.pk])).status_code == 404


def test_propose_and_review_through_the_pages(login, personas, schools, improved_activity):
    client = login(personas["kepsek_a"])
    assert "1 kegiatan dapat diusulkan sebagai praktik baik" in client.get(reverse("home")).content.decode()
    school_page = client.get(reverse("pbd:school", args=[schools["a"].npsn])).content.decode()
    url = reverse("pbd:practice_propose", args=[improved_activity.pk])
    assert url in school_page
    form = client.get(url).content.decode()
    assert "Bahan bacaan tidak berjenjang" in form and "Jurnal membaca" in form and 'value="480.000"' in form
    evidence = improved_activity.evidence.get()
    typed = {
        "title": "",
        "problem_text": "Literasi kurang",
        "root_cause": "Bahan bacaan tidak berjenjang",
        "action": "Kata-kata yang saya ketik",
        "cost": "480.000",
        "result": "Naik",
        "evidence": [evidence.pk],
    }
    page = client.post(url, typed).content.decode()
    assert "Kata-kata yang saya ketik" in page and not Practice.objects.exists()  # comes back as typed
    response = client.post(url, typed | {"title": "Membaca berjenjang"}, follow=True)
    practice = Practice.objects.get()
    assert response.redirect_chain[-1][0] == reverse("pbd:practice", args=[practice.pk])
    assert practice.cost == D(480000) and list(practice.evidence.all()) == [evidence]
    assert client.get(url).status_code == 302  # already proposed: to the practice
    assert login(personas["kepsek_b"]).get(url).status_code == 404
    assert login(personas["pengawas"]).get(url).status_code == 403  # reads cycles, does not write them

    lpmp = login(personas["lpmp"])
    home = lpmp.get(reverse("home")).content.decode()
    assert "1 praktik baik menunggu tinjauan" in home
    review = reverse("pbd:practice_review", args=[practice.pk])
    lpmp.post(review, {"decision": "publish", "reach": "province", "note": ""})
    assert Practice.objects.get().state == "published"
    from mutu.core.models import Notification

    told = Notification.objects.get(user=personas["kepsek_a"])
    assert "diterbitkan (provinsi sekolah)" in told.text and told.url == reverse("pbd:practice", args=[practice.pk])
    response = lpmp.post(review, {"decision": "publish", "reach": "province"}, follow=True)
    assert "sudah" in response.content.decode()  # a double click changes nothing
    lpmp.post(review, {"decision": "delete"})
    assert Practice.objects.get().state == "published"  # an unknown decision is refused with a message
    assert login(personas["lpmp_jambi"]).post(review, {"decision": "withdraw", "note": "x"}).status_code == 404
    assert login(personas["kepsek_a"]).post(review, {"decision": "withdraw", "note": "x"}).status_code == 403


def test_benahi_suggests_practices_with_the_model_schools_first(personas, schools, tmp_path, jambi_kepsek, login):
    from mutu.factories import SchoolFactory
    from mutu.programme import services as programme

    near = SchoolFactory(npsn="10400009", name="SD Negeri 009 Bangkinang", district_code="14.01.01")
    kepsek_near = User.objects.create_user("kepsek_near", password="x")
    Membership.objects.create(user=kepsek_near, role=Role.KEPALA_SEKOLAH, school=near)
    achievements(
        tmp_path,
        {
            2024: {schools["a"]: "40", schools["b"]: "30", near: "20"},
            2025: {schools["a"]: "45", schools["b"]: "60", near: "22"},
        },
    )
    published = []
    for school, team in ((schools["a"], personas["kepsek_a"]), (schools["b"], personas["kepsek_b"])):
        activity = done_activity(team, school)
        data = practices.draft(activity, practices.improved(activity))
        practice = practices.propose(actor=team, activity=activity, data=data)
        published.append(
            practices.review(actor=personas["lpmp"], practice=practice, decision="publish", reach="province")
        )
    by_rise = selectors.suggested_practices(kepsek_near, near, ["A.1"])
    assert [p.school for p in by_rise] == [schools["b"], schools["a"]]  # +30 before +5
    cohort = programme.create_cohort(
        actor=personas["lpmp"], province=schools["a"].province, year=2026, name="Model", imbas_target=2
    )
    from mutu.programme.tests.conftest import statement

    record = programme.propose(
        actor=personas["pengawas"], cohort=cohort, school=schools["a"], regional_support=True, commitment=statement()
    )
    record = programme.move(
        actor=personas["lpmp"], record=record, name="designate", decree_number="SK/1", decree_date=date(2026, 2, 1)
    )
    programme.add_imbas(actor=personas["lpmp"], model_school=record, school=near)
    suggested = selectors.suggested_practices(kepsek_near, near, ["A.1"])
    assert [p.school for p in suggested] == [schools["a"], schools["b"]] and suggested[0].from_model
    assert selectors.suggested_practices(jambi_kepsek, schools["d"], ["A.1"]) == []  # another province
    cycle = start_cycle(actor=kepsek_near, school=near, year=2025, today=date(2025, 8, 1))
    analysis.choose_indicator(
        actor=kepsek_near, cycle=cycle, indicator_id=Indicator.objects.get(framework__year=2025, code="A.1").pk
    )
    client = login(kepsek_near)
    plan = client.get(reverse("cycle:plan", args=[near.npsn, 2025])).content.decode()
    assert "Praktik baik untuk indikator ini" in plan and "sekolah modelnya" in plan
    assert reverse("pbd:practice", args=[published[0].pk]) in plan


def test_the_candidates_cost_the_same_queries_however_many_activities(personas, schools, improved_activity):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counted():
        with CaptureQueriesContext(connection) as queries:
            found = practices.candidates(schools["a"])
        return len(found), len(queries)

    one = counted()
    for n in range(3):  # more finished activities of the same program
        Activity.objects.create(
            program=improved_activity.program,
            year=2024,
            name=f"Kegiatan {n}",
            status=ActivityStatus.DONE,
            volume=1,
            unit="paket",
            unit_cost=D(1000),
        )
    four = counted()
    assert (one[0], four[0]) == (1, 4) and four[1] == one[1]
