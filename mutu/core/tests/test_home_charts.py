"""The LPMP, Dinas and pengawas homes show their region at a glance: the open round's progress per
kab/kota, where the SPMI cycles stand, the programme's imbas coverage; each bar and each count links to
the schools behind it."""

import re

from django.urls import reverse

from mutu.cycle import services as cycle
from mutu.mapping.tests.conftest import open_round, tiny  # noqa: F401  (shared fixtures)
from mutu.programme.tests.conftest import cohort, model_school  # noqa: F401


def bars(page):
    """(label, link, text) of each bar, per chart title."""
    charts = {}
    for title, body in re.findall(r"<figcaption>(.*?)</figcaption>(.*?)</figure>", page, re.S):
        charts[title] = re.findall(
            r'<a href="([^"]+)"><span class="bar-label">(.*?)</span>.*?<span class="bar-text">(.*?)</span>', body, re.S
        )
    return charts


def test_the_lpmp_home_charts_its_province(client, personas, schools, open_round, model_school):  # noqa: F811
    cycle.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=open_round.year)
    client.force_login(personas["lpmp"])
    charts = bars(client.get(reverse("home")).content.decode())
    progress = charts["Pemetaan 2026: sekolah yang memenuhi kuota, per kab/kota"]
    kampar = reverse("mapping:region", args=[open_round.pk, "regency", "14.01"])
    assert (kampar, "Kabupaten Kampar", "0 dari 2") in progress  # SD 001 and SMA 1 Bangkinang
    steps = dict((label, (url, text)) for url, label, text in charts["Siklus SPMI 2026: sekolah pada tiap langkah"])
    assert steps["Pemetaan mutu"] == (f"{reverse('cycle:home')}?year=2026&amp;step=pemetaan", "1 dari 3")
    coverage = charts["Sekolah Model Riau: sekolah imbas terhadap target, per kab/kota"]
    network = reverse("programme:network", args=[model_school.cohort.pk])
    assert coverage == [(f"{network}#regency-{schools['a'].regency.pk}", "Kabupaten Kampar", "0 dari 2 imbas")]


def test_the_pengawas_and_dinas_homes_chart_their_own_schools(client, personas, schools, open_round):  # noqa: F811
    client.force_login(personas["pengawas"])
    charts = bars(client.get(reverse("home")).content.decode())
    assert [text for _url, _label, text in charts["Pemetaan 2026: sekolah yang memenuhi kuota, per kab/kota"]] == [
        "0 dari 1"  # the one school assigned to the pengawas
    ]
    client.force_login(personas["kepsek_a"])  # a school's home has no region to chart
    assert not bars(client.get(reverse("home")).content.decode())


def test_a_bar_of_the_steps_chart_lists_the_schools_at_that_step(client, personas, schools):
    cycle.start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    client.force_login(personas["lpmp"])
    url = reverse("cycle:home")
    at_mapping = client.get(url, {"year": 2026, "step": "pemetaan"}).content.decode()
    assert schools["a"].name in at_mapping and "Hanya sekolah pada langkah “pemetaan mutu”." in at_mapping
    at_monev = client.get(url, {"year": 2026, "step": "monev"}).content.decode()
    assert schools["a"].name not in at_monev and "Tidak ada sekolah pada langkah ini." in at_monev


def test_the_counts_of_the_home_link_to_their_schools(client, personas, schools):
    client.force_login(personas["lpmp"])
    page = client.get(reverse("home")).content.decode()
    listing = reverse("schools:list")
    assert f'href="{listing}?level=SD"' in page and f'href="{listing}?incomplete=on"' in page
    kampar = schools["a"].regency_id
    assert f'href="{listing}?regency={kampar}"' in page
    listed = client.get(listing, {"regency": kampar}).content.decode()
    assert schools["a"].name in listed and schools["b"].name not in listed
