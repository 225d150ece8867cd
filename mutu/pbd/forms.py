from django import forms
from django.utils.translation import gettext_lazy as _

from . import selectors


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A school's PBD workbook (RAPOR-PBD-…xlsx), a school list with one column per indicator, or the "
            "regional report, as downloaded from Rapor Pendidikan (XLSX or CSV)."
        ),
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only needed when the file does not say its year."),
    )
    npsn = forms.RegexField(
        label="NPSN",
        regex=r"^\d{8}$",
        required=False,
        error_messages={"invalid": _("An NPSN has 8 digits.")},
        help_text=_("Only needed for a workbook that does not say its school."),
    )
    dry_run = forms.BooleanField(label=_("Only check, save nothing"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("As the file says"))] + [(y, y) for y in selectors.years()]
