"""A school's whole SPMI cycle in Debian's Chromium: from its rapor to the golden thread and the RKAS PDF."""

import subprocess

import pytest

from conftest import browser_log_in, confirm
from mutu.cycle.models import Activity, CycleDocument, Problem, Program, State


def submit(page, step):
    page.locator(f"#{step}").get_by_role("button", name="Ajukan untuk ditelaah").click()
    confirm(page)
    page.wait_for_selector("text=sekarang diajukan")


def review(page, step, name, comment=""):
    section = page.locator(f"#{step}")
    if comment:
        section.locator("textarea[name=comment]").fill(comment)
    section.get_by_role("button", name=name).click()
    if name == "Terima":
        confirm(page)
    page.wait_for_load_state("load")


@pytest.mark.django_db(transaction=True)
def test_a_school_goes_through_its_cycle(browser, live_server, personas, schools, scored_round, tmp_path):
    school, base = schools["a"], live_server.url
    cycle_url = f"{base}/cycle/{school.npsn}/2026/"
    team = browser.new_page(viewport={"width": 360, "height": 740})
    browser_log_in(team, live_server, "tpmps_a")
    team.goto(cycle_url)
    team.get_by_role("button", name="Mulai siklus 2026").click()

    # From the rapor: choose the two most urgent weak sub-indicators and analyse them.
    team.goto(cycle_url + "analysis/")
    for _ in range(2):
        team.get_by_role("button", name="Pilih").first.click()
        team.wait_for_load_state("load")
    for problem in Problem.objects.order_by("position"):
        form = team.locator(f"#problem-{problem.pk} form")
        for field, text in [("problem", "Capaian rendah"), ("root_cause", "Belum ada pelatihan"),
                            ("recommendation", "Pelatihan dan pendampingan")]:  # fmt: skip
            form.locator(f"[name=p{problem.pk}-{field}]").fill(text)
        form.get_by_role("button", name="Simpan").click()
        team.wait_for_selector(f"text=Analisis {problem.node.code} tersimpan")
    team.goto(cycle_url)
    submit(team, "pemetaan")

    pengawas = browser.new_page()
    browser_log_in(pengawas, live_server, "pengawas")
    pengawas.goto(cycle_url)
    review(pengawas, "pemetaan", "Terima")

    # Plan two activities with their budget, one per problem.
    team.goto(cycle_url + "plan/")
    team.locator("[name=new-name]").fill("Peningkatan mutu pembelajaran")
    for box in team.locator("[name=new-problems]").all():
        box.check()
    team.get_by_role("button", name="Tambahkan program").click()
    program = Program.objects.get()
    for n, problem in enumerate(Problem.objects.order_by("position")):
        team.locator(f"#program-{program.pk} summary", has_text="Tambah kegiatan").click()
        prefix = f"n{program.pk}"
        values = {"name": f"Kegiatan {n + 1}", "indicator": "Guru terlatih", "target": "80%", "volume": "2",
                  "unit": "kali", "unit_cost": "1500000", "person_in_charge": "Wakasek"}  # fmt: skip
        for field, value in values.items():
            team.locator(f"[name={prefix}-{field}]").fill(value)
        team.locator(f"[name={prefix}-fund_source]").select_option("bos")
        team.locator(f"[name={prefix}-months][value='3']").check()
        team.locator(f"[name={prefix}-nodes]").select_option(str(problem.node_id))
        team.get_by_role("button", name="Tambah", exact=True).click()
        team.wait_for_load_state("load")
    assert Activity.objects.count() == 2
    team.goto(cycle_url)
    submit(team, "perencanaan")

    # The pengawas asks for a revision; the team resubmits; the pengawas accepts.
    pengawas.goto(cycle_url)
    review(pengawas, "perencanaan", "Minta revisi", "Tambahkan target per semester.")
    team.goto(cycle_url)
    assert "Tambahkan target per semester." in team.locator("#perencanaan").inner_text()
    submit(team, "perencanaan")
    pengawas.goto(cycle_url)
    review(pengawas, "perencanaan", "Terima")

    # Implementation with an uploaded evidence file.
    evidence = tmp_path / "daftar-hadir.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    team.goto(cycle_url + "implementation/")
    for activity in Activity.objects.all():
        block = team.locator(f"#activity-{activity.pk}")
        block.locator("summary", has_text="Catat pelaksanaan").click()
        block.locator(f"[name=i{activity.pk}-status]").select_option("selesai")
        block.locator(f"[name=i{activity.pk}-actual_cost]").fill("2800000")
        block.get_by_role("button", name="Simpan").click()
        team.wait_for_load_state("load")
        block = team.locator(f"#activity-{activity.pk}")
        block.locator("summary", has_text="Lampirkan bukti").click()
        block.locator(f"[name=e{activity.pk}-file]").set_input_files(str(evidence))
        block.get_by_role("button", name="Lampirkan", exact=True).click()
        team.wait_for_selector("text=Bukti terlampir")
    team.goto(cycle_url)
    submit(team, "pelaksanaan")
    pengawas.goto(cycle_url)
    review(pengawas, "pelaksanaan", "Terima")

    # Monev on four dimensions, then a decision on each standard.
    team.goto(cycle_url + "monev/")
    for dimension in ("input", "proses", "output", "outcome"):
        prefix = f"m{program.pk}-{dimension}"
        team.locator(f"summary:has-text('{dimension}')").first.click()
        team.locator(f"[name={prefix}-target]").fill("80%")
        team.locator(f"[name={prefix}-achieved]").fill("85%")
        team.locator(f"[name={prefix}-met]").check()
        team.locator(f"form:has([name={prefix}-target])").get_by_role("button", name="Simpan").click()
        team.wait_for_load_state("load")
    team.goto(cycle_url)
    submit(team, "monev")
    pengawas.goto(cycle_url)
    review(pengawas, "monev", "Terima")
    team.goto(cycle_url + "standards/")
    for section in team.locator("section[id^=standard-]").all():
        pk = section.get_attribute("id").split("-")[1]
        section.locator("summary", has_text="Tetapkan").click()
        section.locator(f"[name=s{pk}-decision]").select_option("tingkatkan")
        section.get_by_role("button", name="Simpan").click()
        team.wait_for_load_state("load")
    team.goto(cycle_url)
    submit(team, "standar")
    pengawas.goto(cycle_url)
    review(pengawas, "standar", "Terima")
    assert set(CycleDocument.objects.values_list("state", flat=True)) == {State.ACCEPTED}

    # The golden thread of the first problem shows every link.
    first = Problem.objects.order_by("position").first()
    pengawas.goto(cycle_url + f"thread/{first.node.code}/")
    thread = pengawas.locator("main").inner_text()
    for text in ("Belum ada pelatihan", "Kegiatan 1", "3.000.000", "daftar-hadir.pdf", "85%", "tingkatkan"):
        assert text in thread, text
    pengawas.screenshot(path=str(tmp_path / "thread.png"), full_page=True)

    # The RKAS PDF downloads; rendered to an image it shows the table and the signature block.
    with team.expect_download() as download:
        team.goto(cycle_url + "rkas/")
        team.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "rkas.pdf"
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "rkas")], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Kegiatan 1" in text and "Disusun oleh" in text and "Diketahui" in text
    assert list(tmp_path.glob("rkas-*.png"))


@pytest.mark.django_db(transaction=True)
def test_a_link_to_a_folded_step_opens_it(page, live_server, personas, schools, scored_round):
    from mutu.cycle import services

    school = schools["a"]
    services.start_cycle(actor=personas["kepsek_a"], school=school, year=2026)
    browser_log_in(page, live_server, "kepsek_a")
    url = f"{live_server.url}/cycle/{school.npsn}/2026/"
    page.goto(url)
    assert page.locator("details#monev").get_attribute("open") is None  # a later step starts folded
    page.goto(url + "#monev")
    assert page.locator("details#monev").get_attribute("open") is not None
    page.goto(url + "#standar")  # a link followed on the same page opens its step too
    assert page.locator("details#standar").get_attribute("open") is not None
