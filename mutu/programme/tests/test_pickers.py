"""Pickers among many schools (core.forms.SearchSelect): at most 30 options and the chosen one, a search
by name or NPSN that works as a plain page reload without JavaScript and as you type with it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import browser_log_in
from mutu.factories import SchoolFactory
from mutu.programme.models import ModelSchool
from mutu.programme.tests.conftest import statement


@pytest.fixture
def many(schools):
    return [
        SchoolFactory(npsn=f"104{n:05d}", name=f"SD Negeri {n:03d} Kampar Kiri", district_code="14.01.01")
        for n in range(100, 160)
    ]


def options(page, select_id="id_school"):
    select = re.search(rf'<select name="school"[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="(\d*)"', select)


def test_a_province_of_schools_shows_thirty_and_says_so(login, personas, cohort, many):
    page = login(personas["lpmp"]).get(reverse("programme:cohort", args=[cohort.pk])).content.decode()
    assert len(options(page)) == 31  # the empty choice and the first 30
    assert "30 pertama dari 63: ketik untuk mempersempit." in page


def test_the_search_finds_by_name_or_npsn_without_javascript(login, personas, cohort, many):
    client = login(personas["lpmp"])
    url = reverse("programme:cohort", args=[cohort.pk])
    by_npsn = options(client.get(url, {"school_q": "10400159"}).content.decode())
    assert by_npsn == ["", str(many[-1].pk)]
    by_name = options(client.get(url, {"school_q": "negeri 15"}).content.decode())
    assert len(by_name) == 12  # 115 and 150–159, and the empty choice
    any_order = options(client.get(url, {"school_q": "kiri 159"}).content.decode())
    assert any_order == ["", str(many[-1].pk)]  # the words of the name in any order
    none = client.get(url, {"school_q": "Zzz"}).content.decode()
    assert options(none) == [""] and "Tidak ada yang cocok dengan “Zzz”." in none


def test_a_school_beyond_the_first_thirty_is_proposed(login, personas, cohort, many):
    client = login(personas["dinas_kampar"])
    last = many[-1]
    response = client.post(
        reverse("programme:propose", args=[cohort.pk]),
        {"school": last.pk, "commitment": statement(), "regional_support": "on"},
    )
    assert response.status_code == 302 and ModelSchool.objects.filter(school=last).exists()


@pytest.mark.django_db(transaction=True)
def test_typing_narrows_the_list_and_keeps_the_choice(page, live_server, personas, cohort, many):
    browser_log_in(page, live_server, "lpmp")
    page.goto(f"{live_server.url}{reverse('programme:cohort', args=[cohort.pk])}#propose")
    picker = page.locator("#id_school-picker")
    assert not picker.get_by_role("button", name="Cari").is_visible()  # typing is enough
    picker.locator("input[type=search]").fill("10400155")
    expect(page.locator("#id_school option")).to_have_count(2)
    page.select_option("#id_school", str(many[55].pk))
    picker.locator("input[type=search]").fill("Kiri 12")
    expect(page.locator("#id_school option")).to_have_count(13)  # 112, 120–129, the kept choice, the empty one
    assert page.eval_on_selector("#id_school", "s => s.value") == str(many[55].pk)  # still chosen


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_search_sends_only_the_query_and_the_pages_filters(
    browser, live_server, personas, cohort, many
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    browser_log_in(page, live_server, "lpmp")
    page.goto(f"{live_server.url}{reverse('programme:cohort', args=[cohort.pk])}?status=calon")
    picker = page.locator("#id_school-picker")
    picker.locator("input[type=search]").fill("10400155")
    picker.get_by_role("button", name="Cari").click()
    page.wait_for_url("**school_q=10400155**")
    assert "csrfmiddlewaretoken" not in page.url and "status=calon" in page.url
    assert page.locator("#id_school option").count() == 2
    context.close()
