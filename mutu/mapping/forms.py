from django import forms
from django.utils.translation import gettext_lazy as _

from mutu.core.codes import normalize
from mutu.instruments.models import InstrumentVersion, RespondentType
from mutu.regions.models import Province
from mutu.schools.models import Level

QUOTA_TYPES = ["ks", "guru", "siswa", "komite"]
DEFAULT_QUOTA = {"ks": 1, "guru": 15, "siswa": 10, "komite": 3}


class AddRespondentsForm(forms.Form):
    respondent_type = forms.ChoiceField(label=_("Respondent type"), choices=RespondentType.choices)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=200, initial=1)

    def __init__(self, *args, quotas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent_type"].choices = [(t, label) for t, label in RespondentType.choices if t in quotas] or (
            RespondentType.choices
        )


class VerificationForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label=_("Verification"), choices=[("1", _("Agree")), ("0", _("Correct"))], coerce=lambda v: v == "1"
    )
    corrected = forms.FloatField(label=_("Corrected score"), min_value=0, max_value=7, required=False, localize=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("agreed") is False:
            if data.get("corrected") is None and "corrected" not in self.errors:
                self.add_error("corrected", _("Enter the corrected score (0–7)."))
            if not data.get("note"):
                self.add_error("note", _("Explain the correction in a note."))
        else:
            data["corrected"] = None
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your respondent code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        return normalize(self.cleaned_data["code"])


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    year = forms.IntegerField(label=_("Year"), min_value=2016, max_value=2100)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, empty_label=_("National")
    )
    instrument = forms.ModelChoiceField(label=_("Instrument"), queryset=InstrumentVersion.objects.none())
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, provinces, national, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        self.fields["instrument"].queryset = instruments
        self.fields["province"].required = not national
        if not national:
            self.fields["province"].empty_label = None
        for level in Level.values:
            for rtype in QUOTA_TYPES:
                self.fields[f"quota_{level}_{rtype}"] = forms.IntegerField(
                    label=f"{level} {RespondentType(rtype).label}",
                    min_value=0,
                    max_value=500,
                    initial=DEFAULT_QUOTA[rtype],
                )

    def quota_fields(self):
        return [(level, [self[f"quota_{level}_{rtype}"] for rtype in QUOTA_TYPES]) for level in Level.values]

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The round must close after it opens."))
        instrument, province = data.get("instrument"), data.get("province")
        if instrument and instrument.province_id and instrument.province_id != (province and province.pk):
            self.add_error(
                "instrument",
                _("This instrument belongs to %(owner)s: a round elsewhere cannot use it.")
                % {"owner": instrument.province.name},
            )
        data["quotas"] = {
            level: {rtype: data.get(f"quota_{level}_{rtype}", 0) for rtype in QUOTA_TYPES} for level in Level.values
        }
        return data
