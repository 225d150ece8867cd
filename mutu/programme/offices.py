"""Each province's LPMP/BPMP as its letters and certificates carry it: name, place of signing, the head
who signs (name and NIP) and the logo, set by that province's LPMP (or pusat)."""

import base64
import io

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.core import uploads
from mutu.core.services import record_audit

from .models import Office
from .services import ProgrammeError

LOGO_BYTES = 1024 * 1024  # a logo is printed at 2–3 cm: a megabyte is plenty
FIELDS = ("name", "city", "head_name", "head_nip")


def manages_office(user, province):
    area = area_for(user, Perm.PROGRAMME_MANAGE)
    return area.national or province.pk in area.provinces


def letterhead(province):
    """What a letter or certificate of the province prints: the office's values, or plain defaults
    (the institute and the province's name, no head) while none is set."""
    office = Office.objects.filter(province=province).first()
    if office is None:
        return {"name": _("LPMP/BPMP %(province)s") % {"province": province.name}, "city": province.name, "logo": ""}
    logo = ""
    if office.logo:
        with office.logo.open("rb") as handle:
            data = handle.read()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        logo = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return {name: getattr(office, name) for name in FIELDS} | {"logo": logo}


def checked_logo(upload):
    """The logo's format ("png" or "jpeg"), read from its content; ProgrammeError saying why not."""
    try:
        uploads.check(upload, ["logo"])
    except uploads.UploadRefused as exc:
        raise ProgrammeError(_("Logo: %(reason)s") % {"reason": exc}) from exc
    if upload.size > LOGO_BYTES:
        raise ProgrammeError(_("Logo: the file is larger than 1 MB."))
    try:
        with Image.open(io.BytesIO(upload.read())) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ProgrammeError(_("Logo: the picture cannot be read.")) from exc
    finally:
        upload.seek(0)
    if kind not in ("PNG", "JPEG"):
        raise ProgrammeError(_("Logo: upload a PNG or JPG picture."))
    return kind.lower()


@transaction.atomic
def save_office(*, actor, province, data, logo=None, remove_logo=False):
    if not manages_office(actor, province):
        raise ProgrammeError(_("Only the LPMP of %(province)s does this.") % {"province": province.name})
    kind = checked_logo(logo) if logo is not None else None
    office = Office.objects.select_for_update().filter(province=province).first() or Office(province=province)
    before = {name: getattr(office, name) for name in FIELDS}
    for name in FIELDS:
        setattr(office, name, data[name])
    office.updated_by = actor
    if remove_logo and office.logo:
        office.logo.delete(save=False)
    if logo is not None:
        office.logo.save(f"logo-{province.code}.{kind}", logo, save=False)
    office.save()
    changes = {name: [before[name], data[name]] for name in FIELDS if before[name] != data[name]}
    if logo is not None or remove_logo:
        changes["logo"] = ["", "replaced" if logo is not None else "removed"]
    record_audit(actor=actor, action="programme.office", obj=office, changes=changes, province_id=province.pk)
    return office
