"""Live per-school counters and the deadline view built on them."""

from django.urls import reverse

from mutu.mapping import selectors, services
from mutu.mapping.models import Milestone, SchoolProgress


def progress_of(round_, school):
    return SchoolProgress.objects.get(round=round_, school=school)


def test_counters_follow_slots_and_submissions(open_round, personas, schools, tiny):
    from mutu.mapping.tests.conftest import options

    school = schools["b"]
    gurus = services.add_respondents(actor=None, round_=open_round, school=school, respondent_type="guru", count=3)
    row = progress_of(open_round, school)
    assert (row.slots, row.sent, row.quota, row.sent_in_quota, row.complete) == ({"guru": 3}, {}, 3, 0, False)
    picks = {"Q1": ["a"], "Q2": ["b"], "Q3": ["x"]}
    for slot in gurus:  # three guru answers against a quota of two: the third does not count towards it
        services.submit_answers(respondent=slot, options=options(tiny, "guru", picks))
    row = progress_of(open_round, school)
    assert (row.sent, row.sent_in_quota, round(row.share, 4), row.complete) == ({"guru": 3}, 2, 0.6667, False)
    assert not Milestone.objects.filter(round=open_round, school=school).exists()
    (ks,) = services.add_respondents(actor=None, round_=open_round, school=school, respondent_type="ks", count=1)
    ks.draft = {str(q.id): q.options.first().id for q in services.questionnaire_for(ks).questions.all()}
    ks.save()
    assert services.submit(respondent_id=ks.pk)[1] is True
    assert services.submit(respondent_id=ks.pk)[1] is False  # a doubled submit changes nothing
    row = progress_of(open_round, school)
    assert (row.slots, row.sent, row.sent_in_quota, row.share, row.complete) == (
        {"guru": 3, "ks": 1},
        {"guru": 3, "ks": 1},
        3,
        1.0,
        True,
    )
    assert Milestone.objects.filter(round=open_round, school=school, step=Milestone.Step.RESPONSES_COMPLETE).exists()
    rows, complete = selectors.school_progress(open_round, school)
    assert complete and [(r["label"], r["quota"], r["slots"], r["sent"]) for r in rows] == [
        ("kepala sekolah", 1, 1, 1),  # in the instrument's order of respondent types
        ("guru", 2, 3, 3),
    ]


def test_refresh_progress_recounts_from_the_slots(open_round, schools):
    """The bulk path (synthetic rounds, repairs) agrees with the live one and is idempotent."""
    school = schools["a"]
    services.add_respondents(actor=None, round_=open_round, school=school, respondent_type="guru", count=2)
    SchoolProgress.objects.filter(round=open_round, school=school).update(slots={}, quota=0)
    for _ in range(2):
        services.refresh_progress(open_round, [(school.id, school.level), (schools["c"].id, schools["c"].level)])
    assert (progress_of(open_round, school).slots, progress_of(open_round, school).quota) == ({"guru": 2}, 3)
    assert progress_of(open_round, schools["c"]).slots == {}


def test_deadline_view_orders_lagging_schools_and_pages_them(
    client, personas, open_round, schools, django_assert_max_num_queries
):
    from mutu.factories import SchoolFactory

    services.add_respondents(actor=None, round_=open_round, school=schools["b"], respondent_type="guru", count=1)
    for slot in open_round.respondents.filter(school=schools["b"]):
        services.submit_answers(respondent=slot, options=[])
    for n in range(60):
        SchoolFactory(npsn=f"1049{n:04d}", name=f"SD Uji {n:02d}")
    client.force_login(personas["lpmp"])
    url = reverse("mapping:progress", args=[open_round.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url)
    lagging = page.context["page"]
    assert page.context["progress"]["lagging_count"] == lagging.paginator.count == 63
    assert [s.npsn for s in lagging.object_list[:2]] == ["10400001", "10490000"]  # no response first, by name
    second = client.get(url + "?page=2").context["page"].object_list
    assert [(s.npsn, s.sent, s.quota) for s in second][-1] == ("10400002", 1, 3)  # the most advanced last
    assert "1 / 3" in client.get(url + "?page=2").content.decode()


def test_progress_api_pages_the_lagging_list(client, personas, open_round, schools):
    client.force_login(personas["lpmp"])
    url = reverse("api:progress", args=[open_round.pk])
    body = client.get(url, {"limit": 1, "offset": 1}).json()
    assert (body["schools"], body["complete"], body["lagging_count"]) == (3, 0, 3)
    assert [row["npsn"] for row in body["lagging"]] == ["10400002"]
    assert client.get(url, {"limit": 5000}).status_code == 422


def test_migration_counts_rounds_that_already_have_respondents(open_round, schools):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("mutu.mapping.migrations.0005_school_progress")
    services.add_respondents(actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=2)
    SchoolProgress.objects.all().delete()
    migration.count_existing(apps, None)
    row = progress_of(open_round, schools["a"])
    assert (row.slots, row.sent, row.quota) == ({"ks": 2}, {}, 3)


def test_refresh_progress_command_repairs_the_counters(open_round, schools):
    from io import StringIO

    from django.core.management import call_command

    services.add_respondents(actor=None, round_=open_round, school=schools["a"], respondent_type="ks", count=1)
    SchoolProgress.objects.all().delete()
    out = StringIO()
    call_command("refresh_progress", open_round.pk, stdout=out)
    assert "Progres 3 sekolah dihitung ulang; 0 sudah memenuhi kuota." in out.getvalue()
    assert progress_of(open_round, schools["a"]).slots == {"ks": 1}


def national_round(personas, tiny, quotas):
    from datetime import date, timedelta

    return services.create_round(
        actor=personas["pusat"],
        name="Nasional",
        year=2026,
        instrument=tiny,
        opens_on=date.today(),
        closes_on=date.today() + timedelta(days=9),
        quotas=quotas,
    )


def test_national_deadline_view_groups_per_province(client, personas, tiny, schools):
    round_ = national_round(personas, tiny, {"SD": {"ks": 1}})
    (ks,) = services.add_respondents(actor=None, round_=round_, school=schools["d"], respondent_type="ks", count=1)
    services.submit_answers(respondent=ks, options=[])
    client.force_login(personas["pusat"])
    page = client.get(reverse("mapping:progress", args=[round_.pk]))
    assert [(r["name"], r["schools"], r["complete"]) for r in page.context["progress"]["provinces"]] == [
        ("Riau", 3, 0),
        ("Jambi", 1, 1),
    ]
    assert "Per provinsi" in page.content.decode()
    client.force_login(personas["lpmp"])  # a province's staff see their province by kab/kota
    page = client.get(reverse("mapping:progress", args=[round_.pk])).content.decode()
    assert "Per provinsi" not in page and "Per kabupaten/kota" in page


def test_the_nation_lists_its_lagging_schools_one_province_at_a_time(client, personas, tiny, schools):
    """Sorting the country's lagging schools on every view would cost the national page its speed and
    show nobody anything useful: the nation lists one chosen province's, by page and by API."""
    round_ = national_round(personas, tiny, {"SD": {"ks": 1}, "SMA": {"ks": 1}})
    client.force_login(personas["pusat"])
    url = reverse("mapping:progress", args=[round_.pk])
    page = client.get(url)
    assert list(page.context["page"].object_list) == [] and "didaftar per provinsi" in page.content.decode()
    assert 'href="?province=14#lagging">3</a>' in page.content.decode()  # Riau: 3 lagging
    riau = client.get(url, {"province": "14"})
    assert [s.npsn for s in riau.context["page"].object_list] == ["10400001", "10400002", "10400003"]
    assert "Sekolah tertinggal di Riau" in riau.content.decode() and "10500001" not in riau.content.decode()
    unknown = client.get(url, {"province": "99"})
    assert list(unknown.context["page"].object_list) == [] and "didaftar per provinsi" in unknown.content.decode()
    api = reverse("api:progress", args=[round_.pk])
    assert client.get(api).json()["lagging"] == [] and client.get(api).json()["lagging_count"] == 4
    assert [row["npsn"] for row in client.get(api, {"province": "15"}).json()["lagging"]] == ["10500001"]
    client.force_login(personas["lpmp"])  # one province: its lagging schools at once
    riau = client.get(url)
    assert len(riau.context["page"].object_list) == 3 and "Pilih provinsi" not in riau.content.decode()


def test_whole_regions_read_their_stored_counts_which_follow_quotas_and_moves(
    client, personas, tiny, schools, django_capture_on_commit_callbacks
):
    """Counted by the worker when the round starts, when a school meets its quota and when a school
    moves; a whole region's deadline view reads those counts, a pengawas's schools are counted live."""
    from datetime import date, timedelta

    from mutu.mapping.models import RegionProgress
    from mutu.regions.models import District
    from mutu.schools.services import update_school

    def stored(round_):
        return sorted(
            (r.regency.code, r.level, r.schools, r.complete) for r in RegionProgress.objects.filter(round=round_)
        )

    with django_capture_on_commit_callbacks(execute=True):
        round_ = services.create_round(
            actor=personas["pusat"],
            name="Nasional",
            year=2026,
            instrument=tiny,
            opens_on=date.today(),
            closes_on=date.today() + timedelta(days=9),
            quotas={"SD": {"ks": 1}},
        )
    assert stored(round_) == [
        ("14.01", "SD", 1, 0),
        ("14.01", "SMA", 1, 0),
        ("14.71", "SD", 1, 0),
        ("15.71", "SD", 1, 0),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        (ks,) = services.add_respondents(actor=None, round_=round_, school=schools["a"], respondent_type="ks", count=1)
        services.submit_answers(respondent=ks, options=[])
    assert ("14.01", "SD", 1, 1) in stored(round_)  # school a met its quota

    # The stored counts are what a whole region reads: made wrong on purpose, the page shows them.
    RegionProgress.objects.filter(round=round_, regency__code="14.01", level="SD").update(schools=40, complete=30)
    client.force_login(personas["lpmp"])
    page = client.get(reverse("mapping:progress", args=[round_.pk]))
    kampar = next(r for r in page.context["progress"]["regencies"] if r["code"] == "14.01")
    assert (kampar["schools"], kampar["complete"]) == (41, 30) and page.context["progress"]["lagging_count"] == 12
    client.force_login(personas["pengawas"])  # assigned school a only: counted from its own row
    page = client.get(reverse("mapping:progress", args=[round_.pk]))
    assert (page.context["progress"]["total"], page.context["progress"]["complete"]) == (1, 1)

    # School b moves from Pekanbaru to Kampar: both kab/kota are counted again.
    with django_capture_on_commit_callbacks(execute=True):
        update_school(
            actor=personas["pusat"], school=schools["b"], data={"district": District.objects.get(code="14.01.01")}
        )
    assert stored(round_) == [("14.01", "SD", 2, 1), ("14.01", "SMA", 1, 0), ("15.71", "SD", 1, 0)]
