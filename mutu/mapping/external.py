"""Outside data for sub-indicators (Dapodik ratios, UKG averages): a file of NPSN, code and score."""

from django.db import transaction
from django.utils.translation import gettext as _

from mutu.instruments.models import Node
from mutu.schools.importing import ImportFileError, iter_file_rows, normalize_header
from mutu.schools.models import School

from .models import ExternalValue

HEADERS = {"npsn": "npsn", "kode": "code", "kode sub indikator": "code", "nilai": "value", "skor": "value"}


def import_external_values(round_, path, *, commit=True, on_error=None):
    """Check every row; save the good ones (updating earlier values). Returns (saved, errors)."""
    rows = iter_file_rows(path)
    header = [HEADERS.get(normalize_header(h).replace("-", " ")) for h in next(rows, [])]
    if not {"npsn", "code", "value"} <= set(header):
        raise ImportFileError(_("The file needs the columns NPSN, Kode and Nilai."))
    index = {name: header.index(name) for name in ("npsn", "code", "value")}
    nodes = dict(
        Node.objects.filter(version=round_.instrument_id, source=Node.Source.EXTERNAL).values_list("code", "id")
    )
    schools = School.objects.all()
    if round_.province_id:
        schools = schools.filter(province_id=round_.province_id)
    values, errors = {}, []

    def reject(row, message):
        errors.append((row, message))
        if on_error:
            on_error(row, message)

    batch = []
    for number, row in enumerate(rows, start=2):
        if not any(str(cell).strip() for cell in row):
            continue
        npsn, code, raw = (str(row[index[k]]).strip() if index[k] < len(row) else "" for k in ("npsn", "code", "value"))
        if code not in nodes:
            reject(
                number, _("“%(code)s” is not a sub-indicator fed by outside data in this instrument.") % {"code": code}
            )
            continue
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            reject(number, _("“%(value)s” is not a number.") % {"value": raw})
            continue
        if not 0 <= value <= 7:
            reject(number, _("The score %(value)s lies outside 0–7.") % {"value": raw})
            continue
        batch.append((number, npsn, nodes[code], value))
    known = dict(schools.filter(npsn__in={b[1] for b in batch}).values_list("npsn", "id"))
    for number, npsn, node_id, value in batch:
        if npsn not in known:
            reject(number, _("No school with NPSN %(npsn)s takes part in this round.") % {"npsn": npsn})
        else:
            values[(known[npsn], node_id)] = value
    if commit and values:
        with transaction.atomic():
            ExternalValue.objects.bulk_create(
                [ExternalValue(round=round_, school_id=s, node_id=n, value=v) for (s, n), v in values.items()],
                update_conflicts=True,
                unique_fields=["round", "school", "node"],
                update_fields=["value"],
                batch_size=2000,
            )
    return len(values), sorted(errors)
