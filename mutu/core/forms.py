import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .audit import ACTIONS


class AuditFilterForm(forms.Form):
    who = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    school = forms.CharField(label=_("School (name or NPSN)"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [(code, label) for code, label in ACTIONS.items()]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("The end date lies before the start date."))
        return data


def form_errors(form, labelled=True):
    """A refused form's errors in one line, for the message that says nothing was saved."""
    return "; ".join(
        f"{form.fields[name].label}: {error}" if labelled and name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    )


INDONESIAN_AMOUNT = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")


class MoneyField(forms.DecimalField):
    """An amount in rupiah as people type it: "12.500.000", "Rp 12.500.000" or "12500000"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("Rp").strip().replace(" ", "")
            if INDONESIAN_AMOUNT.fullmatch(value):
                value = value.replace(".", "").replace(",", ".")
            elif "e" in value.lower():
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
