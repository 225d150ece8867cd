"""Django admin's list, add and change views per persona: the admin enforces the scope of the UI.

Every account is made staff here (the worst case: an operator who was given admin access by mistake).
Who may do what is derived, as in the access matrix, from `ROLE_PERMS` plus scope: schools by the school
scopes, regions readable with school access, the audit log with its permission, everything else
(accounts, groups, tasks, login records) for superusers only.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from mutu.accounts.permissions import Perm, has_perm
from mutu.accounts.scopes import area_for
from mutu.core.tests.test_access_matrix import PERSONAS, allowed
from mutu.programme import selectors
from mutu.programme.models import Participant
from mutu.programme.tests.conftest import cohort, event, model_school  # noqa: F401  (shared fixtures)
from mutu.regions.models import District
from mutu.schools.models import School

# model label → (view rule, change rule, add rule); a rule is (permission, scoped to the object's school)
RULES = {
    "schools.School": ((Perm.SCHOOL_VIEW, True), (Perm.SCHOOL_EDIT, True), None),
    "regions.Province": ((Perm.SCHOOL_VIEW, False), None, None),
    "regions.Regency": ((Perm.SCHOOL_VIEW, False), None, None),
    "regions.District": ((Perm.SCHOOL_VIEW, False), None, None),
    "core.AuditEntry": ((Perm.AUDIT_VIEW, True), None, None),
    # The programme's records: seen as on the programme's pages, changed there only.
    **{
        f"programme.{name}": ((Perm.PROGRAMME_VIEW, "programme"), None, None)
        for name in ("Cohort", "ModelSchool", "ImbasSchool", "Event", "Participant", "Certificate")
    },
}
# What the programme's pages let a user see (mutu/programme/selectors.py), per admin model.
PROGRAMME_SEEN = {
    "programme.Cohort": lambda user, obj: selectors.cohorts_for(user).filter(pk=obj.pk).exists(),
    "programme.ModelSchool": lambda user, obj: selectors.model_schools_for(user, obj.cohort).filter(pk=obj.pk).exists(),
    "programme.Event": lambda user, obj: selectors.events_for(user).filter(pk=obj.pk).exists(),
    "programme.Participant": lambda user, obj: selectors.participants_in(user, [obj.event]).filter(pk=obj.pk).exists(),
}


def may(user, rule, obj):
    if rule is None:
        return False
    perm, scoped = rule
    if scoped == "programme" and obj is not None:
        return has_perm(user, perm) and PROGRAMME_SEEN[obj._meta.label](user, obj)
    if scoped and isinstance(obj, School):
        return allowed(user, perm, ("any", School.objects.filter(pk=obj.pk)))
    if scoped and obj is not None:  # an audit entry: the schools of its province
        return allowed(user, perm, ("all", School.objects.filter(province_id=obj.province_id)))
    return has_perm(user, perm)


def refused(response):
    """Django admin refuses with 403, or redirects an object outside the queryset to the admin index."""
    if response.status_code == 302:
        return response["Location"] == reverse("admin:index")
    return response.status_code in (403, 404)


@pytest.fixture
def objects(personas, schools, model_school, event):  # noqa: F811
    from mutu.core.services import record_audit

    participant = Participant.objects.create(
        event=event, name="Budi", role="guru", regency=schools["a"].regency, school=schools["a"], key="budi",
        code="BUDI2345",
    )  # fmt: skip
    record_audit(
        actor=personas["pusat"], action="school.update", obj=schools["a"], province_id=schools["a"].province_id
    )
    from django.contrib.auth import get_user_model

    get_user_model().objects.update(is_staff=True)
    return {
        "schools.School": [schools["a"], schools["d"]],
        "programme.Cohort": [model_school.cohort],
        "programme.ModelSchool": [model_school],
        "programme.Event": [event],
        "programme.Participant": [participant],
    }


def first_object(model, objects):
    return objects.get(model._meta.label, [model.objects.first()])


@pytest.mark.parametrize("label", sorted(m._meta.label for m in admin.site._registry))
def test_admin_views_per_persona(client, personas, objects, label):
    model = next(m for m in admin.site._registry if m._meta.label == label)
    view_rule, change_rule, add_rule = RULES.get(label, (None, None, None))
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    for username in PERSONAS:
        user = personas[username]
        user.refresh_from_db()
        client.force_login(user)
        response = client.get(reverse(f"{prefix}_changelist"))
        assert (response.status_code == 200) == may(user, view_rule, None), (username, label, "list")
        response = client.get(reverse(f"{prefix}_add"))
        assert response.status_code == 200 if may(user, add_rule, None) else refused(response), (username, label)
        for obj in first_object(model, objects):
            if obj is None:
                continue
            response = client.get(reverse(f"{prefix}_change", args=[obj.pk]))
            if may(user, view_rule, obj):
                assert response.status_code == 200, (username, label, obj)
            else:
                assert refused(response), (username, label, obj, response.status_code)


def school_form(school, **changes):
    data = {
        "npsn": school.npsn,
        "name": school.name,
        "level": school.level,
        "status": school.status,
        "district": school.district_id,
        "address": school.address,
        "accreditation": school.accreditation,
        "latitude": "",
        "longitude": "",
        "principal_name": school.principal_name,
    }
    return data | changes


def test_admin_school_changes_follow_the_write_scope(client, personas, objects, schools):
    """A school's staff correct its profile (address…); name and place change only with the region's
    write scope, as in the web form; a Riau school moves to Jambi only with a national scope."""
    jambi = District.objects.filter(regency__province__code="15").first()
    url = lambda school: reverse("admin:schools_school_change", args=[school.pk])  # noqa: E731
    for username in PERSONAS:
        user = personas[username]
        client.force_login(user)
        region_scope = area_for(user, Perm.SCHOOL_EDIT)
        for key in ("a", "d"):
            school = School.objects.get(pk=schools[key].pk)
            client.post(url(school), school_form(school, address=f"Jl. {username}", name=f"{school.name} {username}"))
            after = School.objects.get(pk=school.pk)
            assert (after.address == f"Jl. {username}") == may(user, RULES["schools.School"][1], school), username
            renamed = region_scope.allows(school.province_id, school.regency_id, school.level)
            assert after.name.endswith(username) == renamed, (username, key)
        school = School.objects.get(pk=schools["a"].pk)
        client.post(url(school), school_form(school, district=jambi.pk))
        moved = School.objects.get(pk=school.pk).province.code == "15"
        assert moved == region_scope.unrestricted, username
        if moved:
            School.objects.filter(pk=school.pk).update(
                district=schools["a"].district, regency=schools["a"].regency, province=schools["a"].province
            )


def test_the_admin_speaks_indonesian_and_english(client, personas):
    from mutu.accounts.models import User

    client.force_login(User.objects.create_superuser("root", password="x-" * 8))
    page = client.get(reverse("admin:index")).content.decode()
    for heading in ("Administrasi Mutu", "Administrasi data", "Sekolah model", "Wilayah", "Penguncian log masuk"):
        assert heading in page, heading
    assert "Mentoring events" not in page and ">Regions<" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = client.get(reverse("admin:index")).content.decode()
    assert "Mutu administration" in page and "Model schools" in page and "Mentoring events" in page
    client.post("/i18n/setlang/", {"language": "id", "next": "/admin/"})
    form = client.get(reverse("admin:programme_certificate_add")).content.decode()
    assert "Nomor:" in form and "Peserta:" in form and "Number:" not in form
