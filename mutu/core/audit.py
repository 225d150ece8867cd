"""The audit log as people read it: actions and fields by name, values as words and numbers."""

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# Fields whose values are never recorded or kept (audit entries, a refused form's input).
SECRET_FIELD = re.compile(r"pass|secret|token|otp", re.IGNORECASE)

ACTIONS = {
    "school.update": _("School data changed"),
    "school.import": _("Schools imported"),
    "admin.add": _("Added in the admin"),
    "admin.change": _("Changed in the admin"),
    "admin.delete": _("Deleted in the admin"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "instrument.publish": _("Instrument published"),
    "cycle.start": _("SPMI cycle started"),
    "cycle.submit": _("Cycle document submitted"),
    "cycle.take": _("Cycle document taken for review"),
    "cycle.accept": _("Cycle document accepted"),
    "cycle.send_back": _("Cycle document returned for revision"),
    "cycle.withdraw": _("Cycle document withdrawn before review"),
    "cycle.configure": _("Cycle settings changed"),
    "cycle.problem.choose": _("Problem chosen"),
    "cycle.problem.remove": _("Problem removed"),
    "cycle.problem.save": _("Analysis saved"),
    "cycle.program.add": _("Program added"),
    "cycle.program.change": _("Program changed"),
    "cycle.program.delete": _("Program removed"),
    "cycle.activity.add": _("Activity added"),
    "cycle.activity.change": _("Activity changed"),
    "cycle.activity.delete": _("Activity removed"),
    "cycle.activity.implement": _("Implementation recorded"),
    "cycle.evidence.add": _("Evidence attached"),
    "cycle.evidence.remove": _("Evidence removed"),
    "cycle.plan.copy": _("Plan copied from last year"),
    "cycle.plan.worksheet": _("PBD worksheet read into the plan"),
    "cycle.budget_line.add": _("ARKAS budget line added"),
    "cycle.budget_line.delete": _("ARKAS budget line removed"),
    "cycle.problem.reorder": _("Problem moved in the PBD order"),
    "cycle.monev": _("Program evaluated"),
    "cycle.standard": _("Standard decided"),
    "cycle.document.upload": _("SPMI document uploaded"),
    "cycle.distinctive": _("Distinctive program written"),
    "cycle.visit": _("Monitoring visit recorded"),
    "cycle.follow_up": _("Follow-up of a visit done"),
    "membership.save": _("Role saved"),
    "account.2fa.on": _("Two-factor sign-in turned on"),
    "account.2fa.off": _("Two-factor sign-in turned off"),
    "account.2fa.codes": _("New recovery codes made"),
    "membership.delete": _("Role removed"),
    "instrument.load": _("Instrument loaded"),
    "round.create": _("Round opened"),
    "round.score": _("Rapor computation requested"),
    "respondent.add": _("Respondent codes added"),
    "rapor.verify": _("Verval of a sub-indicator"),
    "rapor.verified": _("Verification finished"),
    "rapor.published": _("Rapor published"),
    "rapor.republished": _("New rapor version published"),
    "rapor.reopen": _("Published rapor reopened"),
    "rapor.set_aside": _("Newer rapor version set aside"),
    "programme.cohort": _("Programme cohort created"),
    "programme.propose": _("Model school proposed"),
    "programme.criteria": _("Candidate's criteria completed"),
    "programme.designate": _("Model school designated"),
    "programme.reject": _("Candidate not designated"),
    "programme.graduate": _("Model school graduated (mandiri)"),
    "programme.replace": _("Model school replaced"),
    "programme.imbas": _("Imbas school added"),
    "programme.imbas.remove": _("Imbas school removed"),
    "programme.imbas_visit": _("Imbas visit recorded"),
    "programme.event": _("Mentoring event saved"),
    "programme.session": _("Event session saved"),
    "programme.material": _("Event material uploaded"),
    "programme.participants": _("Participants added from a roster"),
    "programme.participants.import": _("Participants imported"),
    "programme.participant.remove": _("Participant removed"),
    "programme.participant.role": _("Second principal of a school registered as other"),
    "programme.checklist": _("Attendance checklist saved"),
    "programme.certificates": _("Certificates requested"),
    "programme.certificate.revoke": _("Certificate revoked"),
    "programme.grant": _("Grant saved"),
    "programme.spending": _("Grant spending reported"),
    "programme.tpmpd": _("TPMPD member added"),
    "programme.agreement": _("Regional agreement saved"),
    "programme.evaluate": _("Yearly evaluation computed"),
    "programme.rules": _("Evaluation rules changed"),
    "programme.evaluation.confirm": _("Yearly evaluation confirmed"),
    "programme.code_close": _("Attendance code closed early"),
    "programme.office": _("Letterhead saved"),
    "rp.import": _("Rapor Pendidikan imported"),
    "pbd.practice.propose": _("Good practice proposed"),
    "pbd.practice.publish": _("Good practice published"),
    "pbd.practice.return": _("Good practice returned to the school"),
    "pbd.practice.withdraw": _("Good practice withdrawn"),
}
# Keys that services write into `changes`, where no model field names them.
KEYS = {
    "round": _("round"),
    "type": _("respondent type"),
    "count": _("count"),
    "node": _("sub-indicator"),
    "under": _("every sub-indicator under"),
    "agreed": _("agreed"),
    "added": _("added"),
    "removed": _("removed"),
    "corrected": _("corrected score"),
    "note": _("note"),
    "instrument": _("instrument"),
    "quotas": _("quotas"),
    "nodes": _("nodes"),
    "created": _("created"),
    "updated": _("updated"),
    "rejected": _("rejected rows"),
    "user": _("user"),
    "role": _("role"),
    "scope": _("scope"),
    "reason": _("reason"),
    "version": _("version"),
    "total": _("school score"),
    "reach": _("published to"),
    "activities": _("activities"),
    "lines": _("ARKAS lines"),
}
# Actions whose changes are {field: [before, after]}.
BEFORE_AFTER = {"school.update", "admin.add", "admin.change"}
MAX_ITEMS = 10


def value_text(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return number_format(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        shown = ", ".join(value_text(item) for item in value[:MAX_ITEMS])
        return shown + (f" … (+{len(value) - MAX_ITEMS})" if len(value) > MAX_ITEMS else "")
    return str(value)


def _label(entry, key):
    if key in KEYS:
        return str(KEYS[key])
    try:
        model = apps.get_model(entry.object_type) if entry.object_type else None
        label = getattr(model._meta.get_field(key), "verbose_name", None) if model is not None else None
    except (LookupError, ValueError, FieldDoesNotExist):
        label = None
    return str(key if label is None else label)


def describe(entry):
    """[(label, text)] for an entry's changes."""
    rows = []
    for key, value in (entry.changes or {}).items():
        if entry.action in BEFORE_AFTER and isinstance(value, list) and len(value) == 2:
            text = f"{value_text(value[0])} → {value_text(value[1])}"
        else:
            text = value_text(value)
        rows.append((_label(entry, key), text))
    return rows


def action_label(action):
    if action in ACTIONS:
        return str(ACTIONS[action])
    return action
