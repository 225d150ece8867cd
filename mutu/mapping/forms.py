from django import forms
from django.utils.translation import gettext_lazy as _

from mutu.instruments.models import RespondentType


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
            if data.get("corrected") is None:
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
        return self.cleaned_data["code"].strip().upper().replace(" ", "").replace("-", "")
