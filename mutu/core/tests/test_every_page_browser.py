"""Every page of every demo persona, at 1280 and 360 px, in Debian's Chromium: no serious or critical
axe-core violation, no page that scrolls sideways with the demo's longest values, and a top
navigation on one line at 1280 px (in Indonesian; the English run checks the navigation of each
persona's home). The pages are found by following links from each home, as a person would.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from mutu.demo.programme import COHORT_2026
from mutu.demo.services import DEMO_PASSWORD
from mutu.programme.models import Cohort

from . import walk

DEMO_PERSONAS = [
    "pusat",
    "lpmp.riau",
    "fasilitator.riau",
    "dinas.riau",
    "dinas.kampar",
    "pengawas.kampar",
    "kepsek",
    "tpmps",
    "operator",
]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what a page looks like does not depend on the database")
@pytest.mark.django_db(transaction=True)
def test_every_page_of_every_demo_persona(browser, live_server, monkeypatch):
    call_command("load_demo", stdout=io.StringIO())
    monkeypatch.setattr(walk, "PER_PATTERN", 1)
    findings, visited = [], {}
    for username in DEMO_PERSONAS:
        context = browser.new_context()
        found, visited[username] = walk.walk(context.new_page(), live_server.url, username, DEMO_PASSWORD)
        findings += found
        context.close()
    assert not findings, "\n".join(findings)
    assert min(visited.values()) >= 20, visited  # each persona's walk reached its pages


@pytest.mark.django_db(transaction=True)
def test_the_english_navigation_fits_one_line_and_decisions_are_in_reach_on_a_phone(browser, live_server):
    call_command("load_demo", stdout=io.StringIO())
    for username in ("pusat", "lpmp.riau"):  # the longest menus
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("button", name="English").click()
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main form button.btn")
        assert page.locator("nav.nav").get_by_role("link", name="Home").is_visible()
        assert page.evaluate(walk.NAV_ON_ONE_LINE), username
        context.close()
    # On a phone the scorecard and the plan become cards: the decision and the money are on screen.
    cohort = Cohort.objects.get(name=COHORT_2026)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "lpmp.riau")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("main form button.btn")
    page.goto(f"{live_server.url}/programme/{cohort.pk}/evaluation/")
    buttons = page.get_by_role("button", name="Konfirmasi")
    assert buttons.count() >= 1
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    context.close()
