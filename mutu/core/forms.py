import re

from django import forms
from django.db.models import Q
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


SCHOOL_SEARCH = ("name__icontains", "npsn__startswith")  # how a school is looked up in a picker


class SearchSelect(forms.Select):
    """A choice among many (a province's schools, an instrument's sub-indicators): the matches of a
    search, at most LIMIT, and what is chosen already. Typing searches through the page itself
    (static/js/mutu.js); without JavaScript the search button (also Enter in the search box) reloads
    the page with the query. The view hands the page's query string over with `search_in`."""

    template_name = "widgets/search_select.html"
    LIMIT = 30

    def __init__(self, search, attrs=None):
        super().__init__(attrs)
        self.search = search  # lookups the query is matched with: ("name__icontains", "npsn__startswith")
        self.query = ""

    def matches(self):
        queryset = self.choices.queryset
        for word in self.query.split():  # every word somewhere, in any order: "Dumai 001" as "001 Dumai"
            found = Q()
            for lookup in self.search:
                found |= Q(**{lookup: word})
            queryset = queryset.filter(found)
        return queryset

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v not in ("", None)]
        shown = list(self.matches()[: self.LIMIT])
        kept = self.choices.queryset.filter(pk__in=[v for v in chosen if str(v).isdigit()])
        rows = [row for row in kept if row not in shown] + shown
        self.counts = (len(shown), self.matches().count(), self.choices.queryset.count())
        groups = []
        empty = getattr(self.choices.field, "empty_label", None)
        if empty is not None and not self.allow_multiple_selected:
            groups.append((None, [self.create_option(name, "", empty, not chosen, 0, attrs=attrs)], 0))
        for index, row in enumerate(rows, start=len(groups)):
            option_value, label = self.choices.choice(row)
            selected = str(option_value) in chosen
            groups.append((None, [self.create_option(name, option_value, label, selected, index, attrs=attrs)], index))
        return groups

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown, matching, total = self.counts
        context["widget"].update(query=self.query, query_name=f"{name}_q", shown=shown, matching=matching, total=total)
        return context


class SearchSelectMultiple(SearchSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an unticked multiple choice sends nothing


def search_in(request, *forms_):
    """Give the pickers of these forms the query the page was asked with (`<field name>_q`); the page
    then draws the form their searches go through without JavaScript (base.html, `has_pickers`)."""
    for form in forms_:
        for name, field in form.fields.items():
            if isinstance(field.widget, SearchSelect):
                field.widget.query = request.GET.get(f"{form.add_prefix(name)}_q", "").strip()[:100]
                request.has_pickers = True
    return forms_[0] if len(forms_) == 1 else forms_
