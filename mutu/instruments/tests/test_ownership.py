"""Instruments belong to their scope: pusat's national ones, an LPMP's provincial ones (issue #13 §3)."""

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutu.accounts.tokens import create_token
from mutu.instruments import services
from mutu.instruments.models import InstrumentVersion
from mutu.mapping.tests.conftest import TINY


def upload(client, user, doc, **data):
    client.force_login(user)
    body = yaml.safe_dump(doc, allow_unicode=True).encode()
    return client.post(reverse("instruments:list"), {"file": SimpleUploadedFile("i.yaml", body), **data}, follow=True)


@pytest.fixture
def pusat_draft(personas):
    return services.load_instrument(TINY, actor=personas["pusat"])


def test_an_lpmp_cannot_replace_pusats_instrument(client, personas, pusat_draft):
    page = upload(client, personas["lpmp_jambi"], {**TINY, "name": "DIGANTI oleh LPMP Jambi"}).content.decode()
    assert "Kode tiny sudah dipakai: pilih kode lain." in page  # whose: not told, it is a draft
    assert InstrumentVersion.objects.get(code="tiny").name == "Instrumen uji"


def test_owners_replace_their_own_draft(client, personas, schools):
    upload(client, personas["lpmp"], TINY)
    version = InstrumentVersion.objects.get(code="tiny")
    assert (version.province_id, version.published) == (schools["a"].province_id, False)
    upload(client, personas["lpmp"], {**TINY, "name": "Versi kedua"})
    assert InstrumentVersion.objects.get(code="tiny").name == "Versi kedua"
    page = upload(client, personas["lpmp_jambi"], {**TINY, "name": "Jambi"}).content.decode()
    assert "Kode tiny sudah dipakai" in page and InstrumentVersion.objects.get(code="tiny").name == "Versi kedua"


def test_drafts_are_seen_by_their_owners_only(client, personas, pusat_draft):
    for name, status in [("pusat", 200), ("lpmp", 404), ("lpmp_jambi", 404)]:
        client.force_login(personas[name])
        assert client.get(reverse("instruments:download", args=["tiny", "yaml"])).status_code == status, name
        listed = "tiny" in client.get(reverse("instruments:list")).content.decode()
        assert listed == (status == 200), name
    for name, status in [("pusat", 200), ("lpmp", 404), ("tpmps_a", 404)]:
        token = create_token(user=personas[name], name="uji")
        response = client.get("/api/instruments/tiny", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == status, name
        listed = client.get("/api/instruments", HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert [i["code"] for i in listed] == (["tiny"] if status == 200 else []), name


def test_only_owners_publish_and_then_everyone_sees_it(client, personas, pusat_draft):
    client.force_login(personas["lpmp"])
    assert client.post(reverse("instruments:publish", args=["tiny"])).status_code == 404
    client.force_login(personas["pusat"])
    client.post(reverse("instruments:publish", args=["tiny"]))
    client.post(reverse("instruments:publish", args=["tiny"]))  # a double click changes nothing
    pusat_draft.refresh_from_db()
    assert pusat_draft.published
    from mutu.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="instrument.publish").count() == 1
    token = create_token(user=personas["tpmps_a"], name="uji")
    assert client.get("/api/instruments/tiny", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def round_data(instrument, province):
    data = {
        "name": "Putaran",
        "year": 2027,
        "province": province,
        "instrument": instrument.pk,
        "opens_on": "2027-02-01",
        "closes_on": "2027-03-01",
    }
    return (
        data
        | {f"quota_{lv}_{t}": 1 for lv in ("SD", "SMP", "SMA", "SMK", "SLB") for t in ("ks", "guru", "siswa")}
        | {f"quota_{lv}_komite": 1 for lv in ("SD", "SMP", "SMA", "SMK", "SLB")}
    )


def test_a_round_offers_only_published_instruments_its_creator_may_use(client, personas, schools, pusat_draft):
    riau = schools["a"].province_id
    client.force_login(personas["lpmp"])
    form = client.get(reverse("mapping:create")).content.decode()
    assert "Instrumen uji" not in form  # pusat's draft
    page = client.post(reverse("mapping:create"), round_data(pusat_draft, riau)).content.decode()
    assert "Masukkan pilihan yang valid" in page
    pusat_draft.refresh_from_db()
    assert not pusat_draft.frozen  # a draft cannot be frozen by someone else's round

    jambi = services.load_instrument({**TINY, "code": "jambi"}, province=schools["d"].province, publish=True)
    assert "jambi" not in client.get(reverse("mapping:create")).content.decode()
    client.force_login(personas["pusat"])  # pusat opens rounds anywhere, but Jambi's instrument stays in Jambi
    page = client.post(reverse("mapping:create"), round_data(jambi, riau)).content.decode()
    assert "Instrumen ini milik Jambi" in page
    jambi.refresh_from_db()
    assert not jambi.frozen


def test_replacing_a_published_version_says_it_is_a_draft_again(client, personas, schools):
    services.load_instrument(TINY, actor=personas["lpmp"], province=schools["a"].province, publish=True)
    page = upload(client, personas["lpmp"], {**TINY, "name": "Versi kedua"}).content.decode()
    assert "kini menjadi draf lagi" in page and not InstrumentVersion.objects.get(code="tiny").published
