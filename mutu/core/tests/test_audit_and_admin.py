from django.urls import reverse

from mutu.core.services import record_audit


def test_audit_log_is_scoped_to_the_province(login, personas, schools):
    record_audit(actor=personas["lpmp"], action="school.update", obj=schools["a"], province_id=schools["a"].province_id)
    record_audit(
        actor=personas["lpmp_jambi"], action="school.update", obj=schools["d"], province_id=schools["d"].province_id
    )
    riau = login(personas["lpmp"]).get(reverse("audit_log")).content.decode()
    assert schools["a"].name in riau and schools["d"].name not in riau
    national = login(personas["pusat"]).get(reverse("audit_log")).content.decode()
    assert schools["a"].name in national and schools["d"].name in national


def test_audit_log_empty_state(login, personas):
    assert "Belum ada perubahan yang tercatat." in login(personas["lpmp"]).get(reverse("audit_log")).content.decode()


def test_admin_is_scoped_like_the_app(login, personas, schools):
    client = login(personas["lpmp"])
    listing = client.get(reverse("admin:schools_school_changelist")).content.decode()
    assert schools["a"].npsn in listing and schools["d"].npsn not in listing
    outside = client.get(reverse("admin:schools_school_change", args=[schools["d"].pk]))
    assert outside.status_code == 302  # Django admin's answer for "no such object" in this queryset
    assert client.get(reverse("admin:schools_school_change", args=[schools["a"].pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403


def test_admin_refuses_non_staff(login, personas):
    response = login(personas["kepsek_a"]).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_changes_are_audited(login, personas, schools):
    from mutu.core.models import AuditEntry

    client = login(personas["lpmp"])
    school = schools["a"]
    url = reverse("admin:schools_school_change", args=[school.pk])
    data = {
        "npsn": school.npsn,
        "name": "SD Negeri 001 Bangkinang Kota",
        "level": "SD",
        "status": "negeri",
        "district": school.district_id,
        "address": "",
        "accreditation": "",
        "latitude": "",
        "longitude": "",
        "principal_name": "Rosmawati",
    }
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == personas["lpmp"] and entry.province_id == school.province_id
    assert entry.changes == {"name": ["SD Negeri 001 Bangkinang", "SD Negeri 001 Bangkinang Kota"]}


def test_membership_granted_in_admin_is_audited(client, personas, schools):
    from mutu.accounts.models import User
    from mutu.core.models import AuditEntry

    root = User.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    user = personas["nobody"]
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = {
        "username": user.username,
        "email": user.email,
        "full_name": "Operator Baru",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-role": "operator",
        "memberships-0-school": schools["a"].pk,
        "memberships-0-valid_from": "2026-01-01",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    entry = AuditEntry.objects.get(action="membership.save")
    assert entry.actor == root and entry.changes["role"] == "operator" and entry.province_id == schools["a"].province_id
    assert user.memberships.get().school == schools["a"]


def test_audit_log_reads_as_words_with_filters(login, personas, schools):
    from mutu.schools.services import update_school

    update_school(actor=personas["lpmp"], school=schools["a"], data={"principal_name": "Rosmawati, S.Pd."})
    record_audit(
        actor=personas["pengawas"],
        action="rapor.verify",
        obj=schools["a"],
        province_id=schools["a"].province_id,
        changes={"node": "1.1.1", "agreed": False, "corrected": 4.5, "note": "Bukti kurang"},
    )
    record_audit(actor=personas["lpmp"], action="school.update", obj=schools["b"], province_id=schools["b"].province_id)
    client = login(personas["lpmp"])
    page = client.get(reverse("audit_log")).content.decode()
    assert ">Data sekolah diubah</td>" in page and ">Verval sub-indikator</td>" in page
    assert "Rosmawati → Rosmawati, S.Pd." in page  # a value, not its characters
    assert "<strong>disetujui</strong>: tidak" in page
    assert "nilai koreksi</strong>: 4,5" in page and "True" not in page and "None" not in page
    filtered = client.get(reverse("audit_log"), {"school": "10400001", "action": "rapor.verify"}).content.decode()
    assert "Bukti kurang" in filtered and "Rosmawati, S.Pd." not in filtered
    by_who = client.get(reverse("audit_log"), {"who": "pengawas"}).content.decode()
    assert ">Verval sub-indikator</td>" in by_who and ">Data sekolah diubah</td>" not in by_who
    wrong = client.get(reverse("audit_log"), {"since": "2026-12-31", "until": "2026-01-01"}).content.decode()
    assert "Tanggal akhir sebelum tanggal awal." in wrong


def test_admin_keeps_schools_inside_the_editors_area(login, personas, schools):
    """lpmp (Riau) could move a Riau school to a Jambi district through the admin (issue #13 §2)."""
    from mutu.regions.models import District
    from mutu.schools.models import School

    school = schools["a"]
    jambi = District.objects.get(code="15.71.01")
    data = {
        "npsn": school.npsn,
        "name": school.name,
        "level": "SD",
        "status": "negeri",
        "district": jambi.pk,
        "address": "",
        "accreditation": "",
        "latitude": "",
        "longitude": "",
        "principal_name": "Rosmawati",
    }
    url = reverse("admin:schools_school_change", args=[school.pk])
    response = login(personas["lpmp"]).post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert School.objects.get(pk=school.pk).district_id == school.district_id
    # The choice offered is limited to the editor's area, and the rule holds for a chosen one too.
    form = response.context["adminform"].form
    assert not form.fields["district"].queryset.filter(pk=jambi.pk).exists()
    assert form.errors
    # A national admin may move it.
    pusat = login(personas["pusat"]).post(url, data)
    assert pusat.status_code == 302 and School.objects.get(pk=school.pk).district_id == jambi.pk


def test_every_audited_action_has_a_label():
    """The audit log reads each action as words: every action a service writes is named in ACTIONS."""
    import re
    from pathlib import Path

    from mutu.core.audit import ACTIONS

    written = set()
    for path in Path(__file__).resolve().parents[2].rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'record_audit\([^)]*?action="([a-z_.]+)"', text, re.S))
    assert written and not written - set(ACTIONS), sorted(written - set(ACTIONS))
