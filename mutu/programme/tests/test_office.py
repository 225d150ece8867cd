"""The letterhead per province: the LPMP sets the institute's name, the head's name and NIP and the logo;
letters and certificates carry them; a certificate keeps the head who signed it."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mutu.core.models import AuditEntry
from mutu.cycle.tests.test_documents import pdf_text
from mutu.programme import certificates, offices
from mutu.programme.documents import invitations
from mutu.programme.models import Certificate, Office
from mutu.programme.tests.test_certificates import attended  # noqa: F401  (shared fixture)

HEAD = {
    "name": "BPMP Provinsi Riau",
    "city": "Pekanbaru",
    "head_name": "Dr. Nurhayati",
    "head_nip": "197003121995032001",
}


def png(size=(60, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")


def post(client, code="14", **changes):
    data = {**HEAD, **changes}
    return client.post(reverse("programme:office", args=[code]), data, follow=True)


def test_the_lpmp_sets_its_letterhead_and_is_told_what_is_wrong(client, personas, schools):
    client.force_login(personas["lpmp"])
    page = post(client, head_nip="19700312").content.decode()
    assert "NIP terdiri dari 18 angka." in page and not Office.objects.exists()
    assert 'value="Dr. Nurhayati"' in page  # what was typed comes back
    fake = SimpleUploadedFile("logo.png", b"just some text, renamed", "image/png")
    page = post(client, logo_file=fake).content.decode()
    field = page.split('for="id_logo_file"')[1].split("</div>")[0]  # said beside the logo field
    assert "bukan PNG/JPG" in field and "text/plain" not in field and "WebP" not in field
    assert not Office.objects.exists()
    page = post(client, logo_file=png()).content.decode()
    office = Office.objects.get()
    assert office.head_name == "Dr. Nurhayati" and office.logo and "data:image/png;base64," in page
    assert AuditEntry.objects.filter(action="programme.office").count() == 1
    post(client, head_name="Dr. Baru", head_nip="19700312 199503 2 001", remove_logo="on")  # the NIP as printed
    office.refresh_from_db()
    assert office.head_name == "Dr. Baru" and not office.logo and office.head_nip == "197003121995032001"


def test_another_provinces_letterhead_is_out_of_reach(client, personas, schools):
    client.force_login(personas["lpmp_jambi"])
    assert client.get(reverse("programme:office", args=["14"])).status_code == 404
    assert post(client).status_code == 404 and not Office.objects.exists()
    assert client.get(reverse("programme:office", args=["15"])).status_code == 200


def test_letters_and_certificates_carry_the_head_and_keep_who_signed(
    client,
    personas,
    schools,
    event,
    attended,  # noqa: F811
    tmp_path,
):
    offices.save_office(actor=personas["lpmp"], province=schools["a"].province, data=HEAD, logo=png())
    pdf, _name, _count = invitations({"event": event.pk, "session": None, "link": "https://mutu.example/hadir/"})
    letter = pdf_text(tmp_path, pdf)
    assert "BPMP Provinsi Riau" in letter and "Dr. Nurhayati" in letter and "NIP 197003121995032001" in letter
    certificates.issue_numbers(event)
    one = Certificate.objects.first()
    assert (one.signer_name, one.signer_nip) == ("Dr. Nurhayati", "197003121995032001")
    offices.save_office(actor=personas["lpmp"], province=schools["a"].province, data={**HEAD, "head_name": "Dr. Baru"})
    ((_item, made),) = certificates.render([Certificate.objects.get(pk=one.pk)], site="https://mutu.example")
    text = pdf_text(tmp_path, made)
    assert "Dr. Nurhayati" in text and "Dr. Baru" not in text and "Kepala BPMP Provinsi Riau" in text
