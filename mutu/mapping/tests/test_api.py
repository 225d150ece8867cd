from django.urls import reverse

from mutu.accounts.tokens import create_token


def test_rapor_api_returns_the_scores(client, personas, scored_round, schools):
    token = create_token(user=personas["pengawas"], name="dashboard")
    url = reverse("api:school_rapor", args=[scored_round.pk, schools["a"].npsn])
    data = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert data["level"] == "Menuju SNP 4" and abs(data["total"] - (12.425 / 3 + 6.3) / 2) < 1e-9
    assert abs({n["code"]: n["score"] for n in data["nodes"]}["1.1.1"] - 3.675) < 1e-12  # full precision
    assert data["total_published"] == 5.22
    assert set(data["status"]) == {"scored", "complete"}


def test_session_works_and_openapi_is_served(client, personas, scored_round):
    client.force_login(personas["lpmp"])
    assert [r["name"] for r in client.get(reverse("api:rounds")).json()] == ["Pemetaan 2026"]
    schema = client.get(reverse("api:openapi-json")).json()
    assert "/api/rounds/{round_id}/schools/{npsn}/rapor" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_token_is_stored_hashed(personas):
    from mutu.accounts.models import ApiToken

    token = create_token(user=personas["lpmp"], name="x")
    assert not ApiToken.objects.filter(digest=token).exists() and ApiToken.objects.get().digest != token


def test_progress_tells_when_the_last_scoring_ended(client, personas, open_round):
    from mutu.mapping import services

    client.force_login(personas["dinas_riau"])
    url = reverse("api:progress", args=[open_round.pk])
    assert client.get(url).json()["scoring"] is None
    services.request_scoring(actor=personas["lpmp"], round_=open_round)  # the immediate backend runs it
    scoring = client.get(url).json()["scoring"]
    assert (scoring["state"], scoring["rapor"]) == ("done", 0) and scoring["finished_at"] >= scoring["requested_at"]


def test_region_api_says_whether_it_covers_the_whole_region(client, personas, scored_round):
    token = create_token(user=personas["kepsek_a"], name="sekolah")
    url = reverse("api:region", args=[scored_round.pk, "regency", "14.01"])
    data = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert data["complete"] is False and data["schools"] == 1  # only their own school
    lpmp = create_token(user=personas["lpmp"], name="lpmp")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {lpmp}").json()["complete"] is True
    # A province round has no national figure, and the nation is addressed as `nation/-` only.
    for code in ("-", "junk"):
        nation = reverse("api:region", args=[scored_round.pk, "nation", code])
        assert client.get(nation, HTTP_AUTHORIZATION=f"Bearer {lpmp}").status_code == 404
