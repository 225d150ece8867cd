"""The programme in Debian's Chromium: LPMP creates a cohort, a pengawas proposes a school, LPMP
designates it and chooses imbas schools from the suggestions, creates an event with participants; a
participant checks in with the day's code on a phone; the recap counts them; certificates are made;
the public page confirms a number and rejects a made-up one."""

from datetime import date

import pytest

from conftest import browser_log_in, confirm
from mutu.factories import SchoolFactory
from mutu.programme.models import Certificate, Cohort, ImbasSchool, ModelSchool, Participant


@pytest.mark.django_db(transaction=True)
def test_a_cohort_from_proposal_to_certificate(browser, live_server, personas, schools, tmp_path):
    SchoolFactory(name="SD Negeri 009 Bangkinang", district_code="14.01.01")
    SchoolFactory(name="SD Negeri 010 Bangkinang", district_code="14.01.01")
    base = live_server.url
    lpmp = browser.new_page()
    browser_log_in(lpmp, live_server, "lpmp")
    lpmp.goto(f"{base}/programme/")
    lpmp.locator("[name=year]").fill("2026")
    lpmp.locator("[name=name]").fill("Sekolah Model Riau 2026")
    lpmp.locator("[name=imbas_target]").fill("2")
    lpmp.get_by_role("button", name="Buat").click()
    lpmp.wait_for_selector("text=Angkatan dibuat")
    cohort = Cohort.objects.get()

    pengawas = browser.new_page()
    browser_log_in(pengawas, live_server, "pengawas")
    pengawas.goto(f"{base}/programme/{cohort.pk}/")
    pengawas.locator("[name=school]").select_option(str(schools["a"].pk))
    statement = tmp_path / "komitmen.pdf"
    statement.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    pengawas.locator("[name=commitment]").set_input_files(str(statement))
    pengawas.locator("[name=regional_support]").check()
    pengawas.get_by_role("button", name="Usulkan").click()
    pengawas.wait_for_selector("text=diusulkan")
    record = ModelSchool.objects.get()

    lpmp.goto(f"{base}/programme/{cohort.pk}/schools/{record.pk}/")
    lpmp.get_by_text("Tetapkan (SK)").click()
    lpmp.locator("[name=decree_number]").fill("800/LPMP.RIAU/2026/014")
    lpmp.locator("[name=decree_date]").fill("2026-02-16")
    lpmp.get_by_role("button", name="Simpan").first.click()
    confirm(lpmp)
    lpmp.wait_for_selector("text=ditetapkan")
    for _ in range(2):  # the two nearest suggestions become imbas schools
        lpmp.get_by_role("button", name="Jadikan imbas").first.click()
        lpmp.wait_for_selector("text=menjadi sekolah imbas")
    assert ImbasSchool.objects.count() == 2
    assert set(ImbasSchool.objects.values_list("school__district__code", flat=True)) == {"14.01.01"}

    lpmp.goto(f"{base}/programme/{cohort.pk}/events/")
    lpmp.locator("[name=name]").fill("Bimtek SPMI Tahap 1")
    lpmp.locator("[name=kind]").select_option("bimtek")
    lpmp.locator("[name=mode]").select_option("luring")
    lpmp.locator("[name=days]").fill("1")
    lpmp.get_by_role("button", name="Buat").click()
    lpmp.wait_for_selector("text=Kegiatan dibuat")
    event_url = lpmp.url
    lpmp.get_by_text("Tambah sesi").click()
    lpmp.locator("#sessions [name=name]").fill("TPK Kampar")
    lpmp.locator("#sessions [name=starts_on]").fill(date.today().isoformat())
    lpmp.locator("#sessions").get_by_label("Kabupaten Kampar").check()
    lpmp.locator("#sessions").get_by_role("button", name="Simpan").last.click()
    lpmp.wait_for_selector("text=Tersimpan")
    for role in ("ks_binaan", "ks_imbas"):
        lpmp.get_by_text("Tambah dari daftar").click()
        lpmp.locator("#participants [name=role]").select_option(role)
        lpmp.locator("#participants").get_by_role("button", name="Tambah", exact=True).click()
        lpmp.wait_for_selector("text=peserta ditambahkan")
    assert Participant.objects.count() == 3
    lpmp.get_by_text("Kode kehadiran", exact=True).first.click()
    lpmp.locator("#sessions [name$=minutes]").fill("30")
    lpmp.get_by_role("button", name="Buka kode").click()
    code = lpmp.locator(".bigcode").inner_text().strip()

    # On the participant's phone: the link (or QR) of the day's code, then the personal code.
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    participant = Participant.objects.get(role="ks_binaan")
    phone.goto(f"{base}/hadir/{code}/")
    phone.locator("[name=participant_code]").fill(participant.code.lower())
    phone.get_by_role("button", name="Saya hadir").click()
    phone.wait_for_selector("text=Terima kasih")
    phone.screenshot(path=str(tmp_path / "hadir.png"))

    lpmp.goto(f"{base}/programme/{cohort.pk}/recap/?hadir=1")
    assert "Kabupaten Kampar" in lpmp.content()
    assert lpmp.locator("tr.total td.num").last.inner_text().strip() == "1"

    lpmp.goto(event_url)
    lpmp.get_by_role("button", name="Buat sertifikat").click()
    confirm(lpmp)
    lpmp.wait_for_selector("text=Dibuat pada")
    certificate = Certificate.objects.get()

    public = browser.new_page(viewport={"width": 360, "height": 740})
    public.goto(f"{base}/sertifikat/")
    public.locator("[name=nomor]").fill(certificate.number)
    public.locator("[name=kode]").fill(certificate.check_code.lower())
    public.get_by_role("button", name="Periksa").click()
    public.wait_for_selector("text=Sertifikat ini sah")
    assert participant.name in public.content()
    public.locator("[name=nomor]").fill("9999/SPMI/1/2026")
    public.get_by_role("button", name="Periksa").click()
    public.wait_for_selector("text=Tidak ada sertifikat dengan nomor dan kode cek ini")
    assert participant.name not in public.content()
