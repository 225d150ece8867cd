from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutu.core.forms import MoneyField
from mutu.schools.models import Level

from . import selectors
from .models import Practice


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


class PracticeForm(forms.ModelForm):
    """The school's wording of its good practice; the evidence chosen among the activity's own."""

    cost = MoneyField(label=_("Cost (Rp)"), required=False, min_value=0, max_digits=15, decimal_places=0)

    class Meta:
        model = Practice
        fields = ["title", "problem_text", "root_cause", "action", "cost", "result", "evidence"]
        widgets = {
            "problem_text": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "action": forms.Textarea(attrs={"rows": 4}),
            "result": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "action": _("What the school did, so that another school can do it too."),
            "result": _("What changed, in the Rapor Pendidikan and in the classroom."),
        }

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = activity.evidence.filter(removed_at__isnull=True)
        self.fields["evidence"].label_from_instance = lambda e: e.description or e.original_name or e.link
        self.fields["evidence"].help_text = _("Others see the evidence chosen here once the practice is published.")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("publish", _("Publish")), ("return", _("Return to the school"))],
        widget=forms.RadioSelect,
    )
    reach = forms.ChoiceField(label=_("Publish to"), choices=Practice.Reach.choices, required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the practice is returned: what the school should correct."),
    )


class WithdrawForm(forms.Form):
    decision = forms.ChoiceField(choices=[("withdraw", _("Withdraw"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Why (the school sees it)"), max_length=1000)


class PracticeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    indikator = forms.ChoiceField(label=_("Indicator"), required=False)
    jenjang = forms.ChoiceField(label=_("Jenjang"), required=False, choices=[("", _("All"))] + list(Level.choices))
    kabkota = forms.ChoiceField(label=_("Kab/kota"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, practices, **kwargs):
        super().__init__(*args, **kwargs)
        codes = practices.order_by().values_list("indicator__code", "indicator__name").distinct()
        self.fields["indikator"].choices = [("", _("All"))] + sorted({(c, f"{c} {n}") for c, n in codes})
        regencies = practices.order_by().values_list("school__regency__code", "school__regency__name").distinct()
        self.fields["kabkota"].choices = [("", _("All"))] + sorted(set(regencies), key=lambda r: r[1])
        self.fields["status"].choices = [("", Practice.State.PUBLISHED.label)] + [
            (value, label) for value, label in Practice.State.choices if value != Practice.State.PUBLISHED
        ]

    def filter(self, practices):
        """The raw values filter (an indicator or kab/kota without practices finds none); an unknown
        status shows the published ones."""
        data = {name: (self.data.get(name) or "").strip() for name in self.fields}
        status = data["status"] if data["status"] in Practice.State.values else Practice.State.PUBLISHED
        practices = practices.filter(state=status)
        for name, field in (
            ("indikator", "indicator__code"),
            ("jenjang", "level"),
            ("kabkota", "school__regency__code"),
        ):
            if data[name]:
                practices = practices.filter(**{field: data[name][:20]})
        if data["q"]:
            words = Q()
            for field in ("title", "action", "problem_text", "root_cause", "school__name"):
                words |= Q(**{f"{field}__icontains": data["q"][:100]})
            practices = practices.filter(words)
        return practices
