"""Test data factories (factory-boy), beside the persona fixtures of the root `conftest.py`.

They need the regions of the test slice (the `regions` fixture: Riau and Jambi). A school lands in
kecamatan 14.01.02 (Kampar) unless told `district_code=...`; `SchoolFactory.create_batch(60)` makes
sixty distinct schools. Memberships take their scope from their role: give `school=`, `regency=` or
`province=` as the role needs.
"""

from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from mutu.accounts.models import Membership, User
from mutu.cycle.models import Activity, Program, SchoolCycle
from mutu.regions.models import District
from mutu.schools.models import School


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    class Params:
        district_code = "14.01.02"

    npsn = factory.Sequence(lambda n: f"{10490000 + n:08d}")
    name = factory.Sequence(lambda n: f"SD Uji {n:02d}")
    level = "SD"
    status = "negeri"
    district = factory.LazyAttribute(lambda o: District.objects.get(code=o.district_code))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"pengguna{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    full_name = factory.Sequence(lambda n: f"Pengguna {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = "kepala_sekolah"
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=30))

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        """The schools assigned to a pengawas or fasilitator: `schools=[...]`."""
        if create and extracted:
            self.schools.set(extracted)


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = SchoolCycle

    school = factory.SubFactory(SchoolFactory)
    year = 2026


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    cycle = factory.SubFactory(CycleFactory)
    name = factory.Sequence(lambda n: f"Program {n}")


class ActivityFactory(DjangoModelFactory):
    """A budget line of a program; `nodes=[...]` links it to the sub-indicators it improves."""

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    year = factory.LazyAttribute(lambda o: o.program.cycle.year)
    name = factory.Sequence(lambda n: f"Kegiatan {n}")
    indicator = "Guru yang menerapkan"
    target = "80%"
    volume = 1
    unit = "kali"
    unit_cost = 100_000
    fund_source = "bos"
    months = factory.LazyFunction(lambda: [2])
    person_in_charge = "Wakasek kurikulum"

    @factory.post_generation
    def nodes(self, create, extracted, **kwargs):
        if create and extracted:
            self.nodes.set(extracted)
