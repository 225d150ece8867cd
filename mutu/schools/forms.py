from django import forms
from django.utils.translation import gettext_lazy as _

from mutu.accounts.permissions import Perm
from mutu.accounts.scopes import area_for
from mutu.regions.models import District, Province, Regency

from . import importing
from .models import Level, School, Status

# Profile fields a school's own staff may correct; identity and location come from Dapodik/Dinas.
SCHOOL_STAFF_FIELDS = ["address", "accreditation", "latitude", "longitude", "principal_name"]
REGION_FIELDS = ["name", "level", "status", "district"]


class SchoolFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or NPSN"), "type": "search"}),
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.none(), required=False)
    regency = forms.ModelChoiceField(label=_("Regency/city"), queryset=Regency.objects.none(), required=False)
    level = forms.ChoiceField(label=_("Level (jenjang)"), choices=[("", _("All"))] + Level.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + Status.choices, required=False)
    incomplete = forms.BooleanField(label=_("Incomplete profile only"), required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = Province.objects.filter(id__in=schools.values("province_id"))
        self.fields["regency"].queryset = Regency.objects.filter(id__in=schools.values("regency_id"))

    def filters(self):
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


def filtered_schools(user, data, perm):
    """(the filter form, the schools of the user's scope it leaves) for a query string's `data`."""
    from .selectors import schools_for_user, search_schools

    schools = schools_for_user(user, perm)
    form = SchoolFilterForm(data or None, schools=schools)
    return form, search_schools(schools, **form.filters())


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = REGION_FIELDS + SCHOOL_STAFF_FIELDS
        # Indonesian writes 0,5: accept the decimal comma (and the point).
        localized_fields = ["latitude", "longitude"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.scope = area_for(user, Perm.SCHOOL_EDIT)
        if not self.scope.allows(self.instance.province_id, self.instance.regency_id, self.instance.level):
            for name in REGION_FIELDS:
                del self.fields[name]
        else:
            self.fields["district"].queryset = District.objects.filter(
                regency__province_id=self.instance.province_id
            ).select_related("regency")
            self.fields["district"].label_from_instance = lambda d: f"{d.name} — {d.regency.name}"

    def clean(self):
        return check_area(self.scope, super().clean())


def check_area(scope, data):
    """The services' write-scope rule for a school's place: its new district and level stay inside the
    user's area (the web form and the Django admin both apply it)."""
    district, level = data.get("district"), data.get("level")
    if district and level and not scope.allows(district.regency.province_id, district.regency_id, level):
        raise forms.ValidationError(_("With this district and level the school would lie outside your area."))
    return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Dapodik file (CSV or XLSX)"))


class ImportMappingForm(forms.Form):
    all_or_nothing = forms.BooleanField(label=_("All or nothing: save no row if any row is rejected"), required=False)

    def __init__(self, *args, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
        for column in importing.COLUMNS:
            self.fields[f"col_{column.key}"] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=False,
                initial=str(initial_mapping[column.key]) if column.key in initial_mapping else "",
            )

    def column_fields(self):
        return [self[f"col_{column.key}"] for column in importing.COLUMNS]

    def clean(self):
        data = super().clean()
        mapping = {c.key: int(data[f"col_{c.key}"]) for c in importing.COLUMNS if data.get(f"col_{c.key}")}
        chosen = list(mapping.values())
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Each column of the file can be used for one field only."))
        missing = importing.missing_required(mapping)
        if missing:
            raise forms.ValidationError(_("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)})
        data["mapping"] = mapping
        return data
