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
