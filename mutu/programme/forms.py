from django import forms
from django.utils.translation import gettext_lazy as _

from mutu.accounts.models import User
from mutu.core.forms import SCHOOL_SEARCH, MoneyField, SearchSelect
from mutu.regions.models import Regency
from mutu.schools.models import School

from .models import (
    Agreement,
    Cohort,
    Event,
    Grant,
    GrantSpending,
    ImbasVisit,
    Office,
    Recommendation,
    Session,
    TpmpdMember,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # ISO, or a saved date comes back empty


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["province", "year", "name", "imbas_target"]

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()


class ProposeForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), widget=SearchSelect(SCHOOL_SEARCH)
    )
    commitment = forms.FileField(label=_("Commitment statement of all school components (signed, PDF or photo)"))
    regional_support = forms.BooleanField(label=_("The regional government supports it"), required=False)
    support_note = forms.CharField(label=_("How the region supports it"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["school"].label_from_instance = lambda s: f"{s.npsn} {s.name} ({s.regency})"


class CriteriaForm(forms.Form):
    """A candidate's criteria completed after proposing: a (new) statement, the region's support."""

    commitment = forms.FileField(
        label=_("Commitment statement of all school components (signed, PDF or photo)"),
        required=False,
        help_text=_("Leave empty to keep the statement already uploaded."),
    )
    regional_support = forms.BooleanField(label=_("The regional government supports it"), required=False)
    support_note = forms.CharField(label=_("How the region supports it"), required=False, max_length=300)


class MoveForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    decree_number = forms.CharField(label=_("SK number"), required=False, max_length=100)
    decree_date = forms.DateField(label=_("SK date"), required=False, widget=DATE)
    replacement = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ImbasForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.none(), widget=SearchSelect(SCHOOL_SEARCH)
    )
    agreed_on = forms.DateField(label=_("Agreed on"), required=False, widget=DATE)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class ImbasVisitForm(forms.ModelForm):
    evidence_file = forms.FileField(label=_("Evidence (PDF, photo or office document)"), required=False)

    class Meta:
        model = ImbasVisit
        fields = ["starts_on", "ends_on", "mentor", "participants", "report"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "participants": forms.Textarea(attrs={"rows": 2}),
            "report": forms.Textarea(attrs={"rows": 3}),
        }


class EventForm(forms.ModelForm):
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    meeting_link = forms.URLField(label=_("Meeting link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "name",
            "kind",
            "stage",
            "mode",
            "days",
            "hours",
            "start_time",
            "grace_minutes",
            "meeting_link",
            "capacity",
            "letter_number",
            "min_days",
            "certificate_format",
        ]
        widgets = {"start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, facilitators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = facilitators
        self.fields["facilitators"].label_from_instance = lambda u: u.full_name or u.username


class SessionForm(forms.ModelForm):
    regencies = forms.ModelMultipleChoiceField(
        label=_("Kab/kota covered"), queryset=Regency.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Session
        fields = ["name", "starts_on", "venue"]
        widgets = {"starts_on": DATE}
        help_texts = {"starts_on": _("Leave empty while the date is not known.")}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regencies"].queryset = Regency.objects.filter(province=province)
        if self.instance.pk:
            self.fields["regencies"].initial = list(self.instance.regencies.all())


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF, photo or office document)"))


class RosterForm(forms.Form):
    role = forms.ChoiceField(label=_("Roster"))
    regencies = forms.ModelMultipleChoiceField(label=_("Kab/kota"), queryset=Regency.objects.none(), required=False)

    def __init__(self, *args, rosters, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, label) for role, label in rosters.items()]
        self.fields["regencies"].queryset = Regency.objects.filter(province=province)
        self.fields["regencies"].help_text = _("Empty: every kab/kota the event's sessions cover.")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Participant file (CSV or XLSX)"))
    dry_run = forms.BooleanField(label=_("Only check, save nothing"), required=False)


class CodeForm(forms.Form):
    day = forms.IntegerField(label=_("Day"), min_value=1, initial=1)
    minutes = forms.IntegerField(label=_("Valid for (minutes)"), min_value=1, max_value=24 * 60, initial=30)


class CheckInForm(forms.Form):
    day_code = forms.CharField(
        label=_("Attendance code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    participant_code = forms.CharField(
        label=_("Your participant code (on your invitation)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class VerifyForm(forms.Form):
    nomor = forms.CharField(label=_("Certificate number"), max_length=120)
    kode = forms.CharField(
        label=_("Check code"), max_length=12, help_text=_("Printed beside the number on the certificate.")
    )


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "amount",
            "agreement_number",
            "agreement_date",
            "transferred_on",
            "refund",
            "refunded_on",
            "report_done_on",
        ]
        widgets = {name: DATE for name in ["agreement_date", "transferred_on", "refunded_on", "report_done_on"]}
        localized_fields = ["amount", "refund"]
        field_classes = {"amount": MoneyField, "refund": MoneyField}


class SpendingForm(forms.ModelForm):
    class Meta:
        model = GrantSpending
        fields = ["spent_on", "description", "amount"]
        widgets = {"spent_on": DATE}
        localized_fields = ["amount"]
        field_classes = {"amount": MoneyField}


class TpmpdForm(forms.ModelForm):
    class Meta:
        model = TpmpdMember
        fields = ["regency", "name", "position", "nip", "decree_number", "decree_date"]
        widgets = {"decree_date": DATE}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = Regency.objects.filter(province=province)


class AgreementForm(forms.ModelForm):
    upload = forms.FileField(label=_("Signed agreement (PDF)"), required=False)

    class Meta:
        model = Agreement
        fields = ["regency", "number", "signed_on", "commitments", "budget"]
        widgets = {"signed_on": DATE, "commitments": forms.Textarea(attrs={"rows": 2})}
        localized_fields = ["budget"]
        field_classes = {"budget": MoneyField}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = Regency.objects.filter(province=province)

    def validate_unique(self):
        pass  # one agreement per kab/kota: saving again updates it


class RulesForm(forms.Form):
    """The evaluation rules of a cohort, as people read them (shares in percent)."""

    steps_accepted_min = forms.IntegerField(
        label=_("Mandiri: cycle steps accepted, at least"), min_value=0, max_value=5
    )
    rapor_change_min = forms.DecimalField(
        label=_("Mandiri: rapor change, at least"), min_value=-7, max_value=7, decimal_places=2, localize=True
    )
    imbas_share_min = forms.IntegerField(
        label=_("Mandiri: imbas schools of the target (%), at least"), min_value=0, max_value=100
    )
    visited_share_min = forms.IntegerField(
        label=_("Mandiri: imbas schools visited (%), at least"), min_value=0, max_value=100
    )
    attendance_min = forms.IntegerField(
        label=_("Mandiri: attendance in events (%), at least"), min_value=0, max_value=100
    )
    grant_report = forms.BooleanField(label=_("Mandiri: the grant report is done"), required=False)
    steps_accepted_max = forms.IntegerField(label=_("Ganti: cycle steps accepted, at most"), min_value=-1, max_value=5)
    rapor_change_max = forms.DecimalField(
        label=_("Ganti: rapor change, at most"), min_value=-7, max_value=7, decimal_places=2, localize=True
    )

    SHARES = ("imbas_share_min", "visited_share_min", "attendance_min")

    @classmethod
    def initial_for(cls, rules):
        graduate, replace = rules["mandiri"], rules["ganti"]
        initial = {key: value for key, value in {**graduate, **replace}.items()}
        for key in cls.SHARES:
            initial[key] = round(graduate[key] * 100)
        return initial

    def rules(self):
        data = self.cleaned_data
        graduate = {key: data[key] for key in ("steps_accepted_min", "grant_report")}
        graduate |= {key: data[key] / 100 for key in self.SHARES}
        graduate["rapor_change_min"] = float(data["rapor_change_min"])
        replace = {
            "steps_accepted_max": data["steps_accepted_max"],
            "rapor_change_max": float(data["rapor_change_max"]),
        }
        return {"mandiri": graduate, "ganti": replace}


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Recommendation.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OfficeForm(forms.ModelForm):
    # Longer than a NIP: it may be typed in its printed groups, with spaces (clean_head_nip).
    head_nip = forms.CharField(label=Office._meta.get_field("head_nip").verbose_name, max_length=24)
    logo_file = forms.FileField(
        label=_("Logo (PNG or JPG, at most 1 MB)"), required=False, help_text=_("Leave empty to keep the logo.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Office
        fields = ["name", "city", "head_name", "head_nip"]
        widgets = {"head_nip": forms.TextInput(attrs={"inputmode": "numeric"})}

    def clean_head_nip(self):
        """A NIP as it is printed, in groups (19700312 199503 2 001), is the same NIP."""
        nip = self.cleaned_data["head_nip"].replace(" ", "")
        Office._meta.get_field("head_nip").run_validators(nip)
        return nip

    def clean_logo_file(self):
        from .offices import checked_logo  # the service's own check, said beside the field
        from .services import ProgrammeError

        logo = self.cleaned_data.get("logo_file")
        if logo is not None:
            try:
                checked_logo(logo)
            except ProgrammeError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return logo
