from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from mutu.accounts.permissions import Perm
from mutu.core import documents
from mutu.core.exporters import ListExporter

from .forms import filtered_schools
from .importing import EXPORT_HEADERS

SCHOOL_LIST = "schools.list"


@documents.exporter(SCHOOL_LIST)
def school_list_export(user, params):
    """The school list as filtered by the query string `params["query"]`, in the user's scope."""
    _form, schools = filtered_schools(user, QueryDict(params["query"]), Perm.SCHOOL_EXPORT)
    return SchoolExporter(schools.select_related(None))


class SchoolExporter(ListExporter):
    """The (filtered) school list in Dapodik columns, so the file imports back unchanged."""

    filename = "sekolah"
    title = _("Schools")
    float_format = "0.000000"  # its only decimals are coordinates: six places are about 10 cm

    def __init__(self, queryset):
        self.queryset = queryset

    def headers(self):
        return EXPORT_HEADERS

    def source(self):
        return self.queryset

    def rows(self):
        fields = (
            "npsn",
            "name",
            "level",
            "status",
            "address",
            "district__code",
            "district__name",
            "regency__name",
            "province__name",
            "accreditation",
            "latitude",
            "longitude",
            "principal_name",
        )
        for row in self.queryset.order_by("npsn").values_list(*fields).iterator(chunk_size=2000):
            row = list(row)
            row[3] = row[3].title()
            # Coordinates as numbers: decimal comma in Excel-Indonesia CSV, real numbers in XLSX.
            row[10] = float(row[10]) if row[10] is not None else None
            row[11] = float(row[11]) if row[11] is not None else None
            yield row
