import pytest

from mutu.accounts.permissions import Perm
from mutu.schools.selectors import schools_for_user

# Which of the fixture schools (a = SD Kampar, b = SD Pekanbaru, c = SMA Kampar, d = SD Jambi) each persona sees.
VISIBLE = {
    "pusat": "abcd",
    "lpmp": "abc",
    "lpmp_jambi": "d",
    "dinas_kampar": "a",
    "dinas_pekanbaru": "b",
    "dinas_riau": "c",
    "pengawas": "a",
    "pengawas_other": "b",
    "fasilitator": "c",
    "kepsek_a": "a",
    "operator_a": "a",
    "tpmps_a": "a",
    "kepsek_b": "b",
    "expired": "",
    "nobody": "",
}
EDITABLE = {
    "pusat": "abcd",
    "lpmp": "abc",
    "dinas_kampar": "a",
    "kepsek_a": "a",
    "operator_a": "a",
    "pengawas": "",
    "tpmps_a": "",
    "fasilitator": "",
}


def keys(personas, schools, username, perm):
    by_id = {school.id: key for key, school in schools.items()}
    return "".join(sorted(by_id[i] for i in schools_for_user(personas[username], perm).values_list("id", flat=True)))


@pytest.mark.parametrize("username,expected", VISIBLE.items())
def test_view_scope(personas, schools, username, expected):
    assert keys(personas, schools, username, Perm.SCHOOL_VIEW) == expected


@pytest.mark.parametrize("username,expected", EDITABLE.items())
def test_edit_scope(personas, schools, username, expected):
    assert keys(personas, schools, username, Perm.SCHOOL_EDIT) == expected


def test_two_memberships_add_up(personas, schools):
    from mutu.accounts.models import Membership

    Membership.objects.create(user=personas["pengawas"], role="kepala_sekolah", school=schools["b"])
    assert keys(personas, schools, "pengawas", Perm.SCHOOL_VIEW) == "ab"


def test_membership_scope_must_match_role(personas, schools):
    from django.db import IntegrityError, transaction

    from mutu.accounts.models import Membership

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=personas["nobody"], role="kepala_sekolah")  # a principal without a school
    Membership.objects.create(user=personas["nobody"], role="operator", school=schools["a"])
    with pytest.raises(IntegrityError), transaction.atomic():  # a double click grants nothing twice
        Membership.objects.create(user=personas["nobody"], role="operator", school=schools["a"])
