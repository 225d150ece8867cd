"""Every URL × every persona × every HTTP method × every export format: those outside the URL's scope
get 403 or 404 (or 405), those inside get in, nobody gets a 500.

Who is allowed is not typed here: each case names the permission of `ROLE_PERMS` it needs and what it
points at, and the allowed personas are those whose memberships grant that permission over it
(`allowed`). `test_every_url_is_in_the_matrix` fails when any URL pattern, named or not, has no case.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from mutu.accounts.permissions import Perm, has_perm
from mutu.schools.models import School
from mutu.schools.selectors import schools_for_user

PERSONAS = [
    "pusat",
    "lpmp",
    "lpmp_jambi",
    "dinas_kampar",
    "dinas_pekanbaru",
    "dinas_riau",
    "pengawas",
    "pengawas_other",
    "fasilitator",
    "kepsek_a",
    "operator_a",
    "tpmps_a",
    "kepsek_b",
    "expired",
    "nobody",
]
OTHER_METHODS = ["put", "patch", "delete"]  # no view accepts them: refused or 405, never a 2xx or a 500


def school(key):
    return lambda c: ("any", School.objects.filter(pk=c[key].pk))


def region(**lookup):
    return lambda c: ("any", School.objects.filter(**lookup))


EVERY_SCHOOL = lambda c: ("any", School.objects.all())  # noqa: E731 (a national round's area)
WHOLE_AREA = lambda c: ("all", School.objects.all())  # noqa: E731 (managing the national round)
OWN_IMPORT = lambda c: ("uploader", c["job"].uploaded_by)  # noqa: E731 (an import job is its uploader's)
OWN_DOCUMENT = lambda c: ("uploader", c["document_job"].requested_by)  # noqa: E731
OWN_UPLOAD = lambda c: ("uploader", c["upload"].uploaded_by)  # noqa: E731
OWN_RP_IMPORT = lambda c: ("uploader", c["rp_job"].uploaded_by)  # noqa: E731


def RP_REGION(province, regency):  # noqa: N802 — a target like the constants beside it
    """A region's Rapor Pendidikan: whoever covers it as a region (the nation: national scope only)."""
    return lambda c: ("region", (province, regency))


PRACTICE_WAITING = lambda c: ("waiting", School.objects.filter(pk=c["a"].pk))  # noqa: E731
RIAU_DRAFT = lambda c: ("owner", c["draft"])  # noqa: E731 (a draft instrument is its owners')
# An API token of the Riau principal: hers, and revocable by the admins whose scope holds school a.
KEPSEK_TOKEN = lambda c: ("token", c["token"])  # noqa: E731
# Commenting on a school's cycle: its team or its reviewers.
CYCLE_TALK = lambda c: ("talk", School.objects.filter(pk=c["a"].pk))  # noqa: E731
KEEPER = lambda c: ("keeper", School.objects.filter(pk=c["a"].pk))  # noqa: E731
WHOLE_RIAU = lambda c: ("all", School.objects.filter(province__code="14"))  # noqa: E731
RIAU = region(province__code="14")
# The programme's region-bound records, by who may open them (see mutu/programme/selectors.py): the
# Riau cohort is seen by its LPMP and pusat, by who proposes in Riau (Dinas, pengawas), by its event's
# facilitator and by the staff of its model school `a`; its event also by the Dinas whose kab/kota
# (Kampar) a session covers; who runs the event are its LPMP, pusat and its facilitator.
COHORT_VIEWERS = {
    "pusat",
    "lpmp",
    "dinas_kampar",
    "dinas_pekanbaru",
    "dinas_riau",
    "pengawas",
    "pengawas_other",
    "fasilitator",
    "kepsek_a",
    "operator_a",
    "tpmps_a",
}
EVENT_VIEWERS = {
    "pusat",
    "lpmp",
    "fasilitator",
    "dinas_kampar",
    "dinas_riau",
    "pengawas",
    "kepsek_a",
    "operator_a",
    "tpmps_a",
}
RUNNERS = {"pusat", "lpmp", "fasilitator"}
KAMPAR_REGION = {"pusat", "lpmp", "dinas_kampar", "dinas_riau"}  # the agreement with Kampar's Dinas


def only(names):
    return lambda c: ("personas", names)


SEES_COHORT, SEES_EVENT = only(COHORT_VIEWERS), only(EVENT_VIEWERS)


def cohort_case(name, args, method="get", perm=Perm.PROGRAMME_VIEW, target=SEES_COHORT, formats=("",)):
    return (f"programme:{name}", lambda c: [c["cohort"].pk, *args(c)], method, perm, target, list(formats))


def event_case(name, args, method="get", perm=Perm.PROGRAMME_VIEW, target=SEES_EVENT):
    return (f"programme:{name}", lambda c: [c["event"].pk, *args(c)], method, perm, target, [""])


NONE = lambda c: []  # noqa: E731
MANAGE = {"perm": Perm.PROGRAMME_MANAGE, "target": WHOLE_RIAU}

# (url name, args builder, method, permission (None: any account), target builder or None, formats)
FORMATS = ["", "pdf", "xlsx"]
MATRIX = [
    ("home", lambda c: [], "get", None, None, [""]),
    ("schools:list", lambda c: [], "get", Perm.SCHOOL_VIEW, None, [""]),
    ("schools:detail", lambda c: [c["a"].npsn], "get", Perm.SCHOOL_VIEW, school("a"), [""]),
    ("schools:detail", lambda c: [c["c"].npsn], "get", Perm.SCHOOL_VIEW, school("c"), [""]),
    ("schools:detail", lambda c: [c["d"].npsn], "get", Perm.SCHOOL_VIEW, school("d"), [""]),
    ("schools:edit", lambda c: [c["a"].npsn], "get", Perm.SCHOOL_EDIT, school("a"), [""]),
    ("schools:edit", lambda c: [c["a"].npsn], "post", Perm.SCHOOL_EDIT, school("a"), [""]),
    ("schools:edit", lambda c: [c["b"].npsn], "get", Perm.SCHOOL_EDIT, school("b"), [""]),
    ("schools:export", lambda c: ["csv"], "get", Perm.SCHOOL_EXPORT, None, [""]),
    ("schools:export", lambda c: ["xlsx"], "get", Perm.SCHOOL_EXPORT, None, [""]),
    ("schools:import", lambda c: [], "get", Perm.SCHOOL_IMPORT, None, [""]),
    ("schools:import", lambda c: [], "post", Perm.SCHOOL_IMPORT, None, [""]),
    ("schools:import_job", lambda c: [c["job"].pk], "get", Perm.SCHOOL_IMPORT, OWN_IMPORT, [""]),
    ("schools:import_commit", lambda c: [c["job"].pk], "post", Perm.SCHOOL_IMPORT, OWN_IMPORT, [""]),
    ("audit_log", lambda c: [], "get", Perm.AUDIT_VIEW, None, [""]),
    ("notifications", lambda c: [], "get", None, None, [""]),
    ("notifications", lambda c: [], "post", None, None, [""]),
    ("cycle:home", lambda c: [], "get", Perm.CYCLE_VIEW, None, [""]),
    ("cycle:configure", lambda c: ["14"], "get", Perm.CYCLE_CONFIGURE, WHOLE_RIAU, [""]),
    ("cycle:configure", lambda c: ["14"], "post", Perm.CYCLE_CONFIGURE, WHOLE_RIAU, [""]),
    ("cycle:school", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:school", lambda c: [c["d"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("d"), [""]),
    ("cycle:start", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:move", lambda c: [c["a"].npsn, 2026, "pemetaan", "submit"], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:move", lambda c: [c["a"].npsn, 2026, "pemetaan", "take"], "post", Perm.CYCLE_REVIEW, school("a"), [""]),
    ("cycle:move", lambda c: [c["a"].npsn, 2026, "pemetaan", "withdraw"], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:comment", lambda c: [c["a"].npsn, 2026, "pemetaan"], "post", Perm.CYCLE_VIEW, CYCLE_TALK, [""]),
    ("cycle:analysis", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:analysis_choose", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:plan", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:implementation", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:monev", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:thread", lambda c: [c["a"].npsn, 2026, "1.1.1"], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:overview", lambda c: [], "get", Perm.CYCLE_VIEW, None, [""]),
    ("cycle:visits", lambda c: [], "get", Perm.CYCLE_VIEW, None, [""]),
    ("cycle:visits", lambda c: [], "post", Perm.CYCLE_REVIEW, None, [""]),
    ("cycle:visit_follow_up", lambda c: [c["visit"].pk], "post", Perm.CYCLE_VIEW, school("a"), [""]),
    (
        "cycle:monev_save",
        lambda c: [c["a"].npsn, 2026, c["program"].pk, "input"],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    ("cycle:standards", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:distinctive", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:document_upload", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:document", lambda c: [c["a"].npsn, 2026, c["document"].pk], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    (
        "cycle:standards_save",
        lambda c: [c["a"].npsn, 2026, c["node"].parent.parent_id],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    (
        "cycle:implementation_record",
        lambda c: [c["a"].npsn, 2026, c["activity"].pk],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    ("cycle:evidence_add", lambda c: [c["a"].npsn, 2026, c["activity"].pk], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:evidence", lambda c: [c["a"].npsn, 2026, c["evidence"].pk], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    (
        "cycle:evidence_remove",
        lambda c: [c["a"].npsn, 2026, c["evidence"].pk],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    ("cycle:rkas", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), FORMATS),
    ("cycle:report", lambda c: [c["a"].npsn, 2026, "analysis"], "get", Perm.CYCLE_VIEW, school("a"), FORMATS),
    ("cycle:report", lambda c: [c["a"].npsn, 2026, "rks"], "get", Perm.CYCLE_VIEW, school("a"), FORMATS),
    ("cycle:report", lambda c: [c["a"].npsn, 2026, "rkt"], "get", Perm.CYCLE_VIEW, school("a"), FORMATS),
    ("cycle:report", lambda c: [c["a"].npsn, 2026, "monev"], "get", Perm.CYCLE_VIEW, school("a"), FORMATS),
    ("cycle:plan_copy", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:worksheet", lambda c: [c["a"].npsn, 2026], "get", Perm.CYCLE_VIEW, school("a"), [""]),
    ("cycle:worksheet_import", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    (
        "cycle:budget_line_add",
        lambda c: [c["a"].npsn, 2026, c["activity"].pk],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    (
        "cycle:budget_line",
        lambda c: [c["a"].npsn, 2026, c["activity"].pk, c["budget_line"].pk],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    ("cycle:program_add", lambda c: [c["a"].npsn, 2026], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:program", lambda c: [c["a"].npsn, 2026, c["program"].pk], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    ("cycle:activity_add", lambda c: [c["a"].npsn, 2026, c["program"].pk], "post", Perm.CYCLE_EDIT, school("a"), [""]),
    (
        "cycle:activity",
        lambda c: [c["a"].npsn, 2026, c["program"].pk, c["activity"].pk],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    (
        "cycle:analysis_problem",
        lambda c: [c["a"].npsn, 2026, c["problem"].pk, "up"],
        "post",
        Perm.CYCLE_EDIT,
        school("a"),
        [""],
    ),
    ("programme:home", NONE, "get", Perm.PROGRAMME_VIEW, None, [""]),
    ("programme:home", NONE, "post", Perm.PROGRAMME_MANAGE, None, [""]),
    ("programme:participant_template", NONE, "get", Perm.PROGRAMME_VIEW, None, [""]),
    ("programme:office", lambda c: ["14"], "get", Perm.PROGRAMME_MANAGE, WHOLE_RIAU, [""]),
    ("programme:office", lambda c: ["14"], "post", Perm.PROGRAMME_MANAGE, WHOLE_RIAU, [""]),
    ("programme:import_job", lambda c: [c["import"].pk], "get", Perm.PROGRAMME_MANAGE, WHOLE_RIAU, [""]),
    cohort_case("cohort", NONE),
    cohort_case("propose", NONE, "post", Perm.PROGRAMME_PROPOSE, RIAU),
    cohort_case("network", NONE),
    cohort_case("recap", NONE, formats=FORMATS),
    cohort_case("events", NONE),
    cohort_case("events", NONE, "post", **MANAGE),
    cohort_case("grants", NONE),
    cohort_case("regional", NONE),
    cohort_case("regional", NONE, "post", **MANAGE),
    cohort_case("agreement_file", lambda c: [c["agreement"].pk], target=only(KAMPAR_REGION)),
    cohort_case("evaluation", NONE),
    cohort_case("evaluation", NONE, "post", **MANAGE),
    cohort_case("evaluation_confirm", lambda c: [c["evaluation"].pk, "confirm"], "post", **MANAGE),
    cohort_case("model_school", lambda c: [c["model_school"].pk], target=school("a")),
    cohort_case("move", lambda c: [c["model_school"].pk, "graduate"], "post", **MANAGE),
    # A candidate's criteria: who may propose its school, or the cohort's LPMP (and pusat).
    (
        "programme:criteria",
        lambda c: [c["candidate"].cohort_id, c["candidate"].pk],
        "post",
        None,
        lambda c: ("completer", c["candidate"]),
        [""],
    ),  # fmt: skip
    cohort_case("commitment", lambda c: [c["model_school"].pk], target=school("a")),
    cohort_case("imbas_add", lambda c: [c["model_school"].pk], "post", **MANAGE),
    cohort_case("grant_save", lambda c: [c["model_school"].pk], "post", **MANAGE),
    cohort_case("spending_add", lambda c: [c["model_school"].pk], "post", Perm.PROGRAMME_REPORT, school("a")),
    cohort_case("imbas_remove", lambda c: [c["imbas"].pk], "post", **MANAGE),
    cohort_case("imbas_visit", lambda c: [c["imbas"].pk], "post", Perm.PROGRAMME_REPORT, school("a")),
    cohort_case(
        "imbas_evidence",
        lambda c: [c["imbas_visit"].pk],
        target=lambda c: ("any", School.objects.filter(pk__in=[c["a"].pk, c["c"].pk])),
    ),
    event_case("event", NONE),
    event_case("event_edit", NONE, "post", **MANAGE),
    event_case("session_add", NONE, "post", **MANAGE),
    event_case("session", lambda c: [c["session"].pk], "post", **MANAGE),
    event_case("checklist", lambda c: [c["session"].pk], target=only(RUNNERS)),
    event_case("checklist", lambda c: [c["session"].pk], "post", target=only(RUNNERS)),
    event_case("code_open", lambda c: [c["session"].pk], "post", target=only(RUNNERS)),
    event_case("code", lambda c: [c["code"].pk], target=only(RUNNERS)),
    event_case("code_close", lambda c: [c["code"].pk], "post", target=only(RUNNERS)),
    event_case("material_add", NONE, "post", **MANAGE),
    event_case("material", lambda c: [c["material"].pk]),
    event_case("roster_add", NONE, "post", **MANAGE),
    event_case("participant_import", NONE, "post", **MANAGE),
    event_case("participant_remove", lambda c: [c["participant"].pk], "post", **MANAGE),
    event_case("invitations", NONE, method="post", perm=Perm.PROGRAMME_MANAGE, target=WHOLE_RIAU),
    event_case("attendance", NONE),
    event_case("certificates_generate", NONE, "post", **MANAGE),
    event_case("certificates_zip", NONE, target=only(RUNNERS)),
    # The certificate of school a's principal: who runs the event, and school a's scope (not the Dinas
    # provinsi, whose SMA/SMK/SLB scope does not hold an SD).
    event_case("certificate", lambda c: [c["certificate"].pk], target=only(EVENT_VIEWERS - {"dinas_riau"})),
    event_case("certificate_revoke", lambda c: [c["certificate"].pk], "post", **MANAGE),
    ("api_tokens", lambda c: [], "get", None, None, [""]),
    ("api_tokens", lambda c: [], "post", None, None, [""]),
    ("api_token_revoke", lambda c: [c["token"].pk], "post", None, KEPSEK_TOKEN, [""]),
    # A user's own second factor (the flows themselves: mutu/accounts/tests/test_two_factor.py).
    ("two_factor_verify", NONE, "get", None, None, [""]),
    ("two_factor_recovery", NONE, "post", None, None, [""]),
    ("two_factor_off", NONE, "post", None, None, [""]),
    ("document", lambda c: [c["document_job"].pk], "get", None, OWN_DOCUMENT, [""]),
    ("document_download", lambda c: [c["document_job"].pk], "get", None, OWN_DOCUMENT, [""]),
    ("mapping:rounds", lambda c: [], "get", Perm.ROUND_VIEW, None, [""]),
    ("mapping:create", lambda c: [], "get", Perm.ROUND_MANAGE, None, [""]),
    ("mapping:create", lambda c: [], "post", Perm.ROUND_MANAGE, None, [""]),
    ("instruments:list", lambda c: [], "get", Perm.ROUND_MANAGE, None, [""]),
    ("instruments:list", lambda c: [], "post", Perm.ROUND_MANAGE, None, [""]),
    ("instruments:download", lambda c: ["tiny", "xlsx"], "get", Perm.ROUND_MANAGE, None, [""]),
    ("instruments:download", lambda c: ["tiny", "yaml"], "get", Perm.ROUND_MANAGE, None, [""]),
    ("instruments:download", lambda c: ["riau-draft", "yaml"], "get", Perm.ROUND_MANAGE, RIAU_DRAFT, [""]),
    ("instruments:publish", lambda c: ["riau-draft"], "post", Perm.ROUND_MANAGE, RIAU_DRAFT, [""]),
    ("instruments:upload", lambda c: [c["upload"].pk], "get", Perm.ROUND_MANAGE, OWN_UPLOAD, [""]),
    ("mapping:score", lambda c: [c["round"].pk], "post", Perm.ROUND_MANAGE, WHOLE_AREA, [""]),
    ("mapping:progress", lambda c: [c["round"].pk], "get", Perm.ROUND_VIEW, EVERY_SCHOOL, [""]),
    ("mapping:nation", lambda c: [c["round"].pk], "get", Perm.ROUND_VIEW, EVERY_SCHOOL, FORMATS),
    ("mapping:my_region", lambda c: [c["round"].pk], "get", Perm.ROUND_VIEW, EVERY_SCHOOL, [""]),
    ("mapping:export", lambda c: [c["round"].pk, "responses"], "get", Perm.RESPONSES_EXPORT, EVERY_SCHOOL, [""]),
    ("mapping:export", lambda c: [c["round"].pk, "scores"], "get", Perm.ROUND_VIEW, EVERY_SCHOOL, [""]),
    (
        "mapping:region",
        lambda c: [c["round"].pk, "regency", "14.01"],
        "get",
        Perm.ROUND_VIEW,
        region(regency__code="14.01"),
        FORMATS,
    ),
    (
        "mapping:region",
        lambda c: [c["round"].pk, "district", c["a"].district.code],
        "get",
        Perm.ROUND_VIEW,
        lambda c: ("any", School.objects.filter(district=c["a"].district)),
        FORMATS,
    ),
    (
        "mapping:region",
        lambda c: [c["round"].pk, "province", "15"],
        "get",
        Perm.ROUND_VIEW,
        region(province__code="15"),
        FORMATS,
    ),
    ("mapping:respondents", lambda c: [c["round"].pk, c["a"].npsn], "get", Perm.ROUND_VIEW, school("a"), [""]),
    ("mapping:respondents", lambda c: [c["round"].pk, c["a"].npsn], "post", Perm.RESPONDENT_MANAGE, school("a"), [""]),
    ("mapping:sheet", lambda c: [c["round"].pk, c["a"].npsn], "get", Perm.RESPONDENT_MANAGE, school("a"), [""]),
    ("mapping:rapor", lambda c: [c["round"].pk, c["a"].npsn], "get", Perm.ROUND_VIEW, school("a"), FORMATS),
    ("mapping:rapor", lambda c: [c["round"].pk, c["d"].npsn], "get", Perm.ROUND_VIEW, school("d"), FORMATS),
    ("mapping:verval_list", lambda c: [c["round"].pk], "get", Perm.VERVAL, EVERY_SCHOOL, [""]),
    ("mapping:verval", lambda c: [c["round"].pk, c["a"].npsn], "get", Perm.VERVAL, school("a"), [""]),
    ("mapping:verify", lambda c: [c["round"].pk, c["a"].npsn, c["node"].pk], "post", Perm.VERVAL, school("a"), [""]),
    ("mapping:agree", lambda c: [c["round"].pk, c["a"].npsn, c["node"].pk], "post", Perm.VERVAL, school("a"), [""]),
    ("mapping:advance", lambda c: [c["round"].pk, c["a"].npsn], "post", Perm.VERVAL, school("a"), [""]),
    ("mapping:reopen", lambda c: [c["round"].pk, c["a"].npsn], "post", Perm.ROUND_VIEW, KEEPER, [""]),
    ("mapping:set_aside", lambda c: [c["round"].pk, c["a"].npsn], "post", Perm.ROUND_VIEW, KEEPER, [""]),
    # Rapor Pendidikan: schools as everywhere; regions for those who cover them as a region.
    ("pbd:home", lambda c: [], "get", Perm.RP_VIEW, None, [""]),
    ("pbd:import", lambda c: [], "get", Perm.RP_IMPORT, None, [""]),
    ("pbd:import", lambda c: [], "post", Perm.RP_IMPORT, None, [""]),
    ("pbd:import_job", lambda c: [c["rp_job"].pk], "get", Perm.RP_IMPORT, OWN_RP_IMPORT, [""]),
    ("pbd:example", lambda c: ["sekolah"], "get", Perm.RP_IMPORT, None, [""]),
    ("pbd:example", lambda c: ["daerah"], "get", Perm.RP_IMPORT, None, [""]),
    ("pbd:school", lambda c: [c["a"].npsn], "get", Perm.RP_VIEW, school("a"), ["", "pdf", "xlsx", "csv"]),
    ("pbd:school", lambda c: [c["d"].npsn], "get", Perm.RP_VIEW, school("d"), [""]),
    ("pbd:region", lambda c: ["nation", "id"], "get", Perm.RP_VIEW, RP_REGION(None, None), FORMATS),
    ("pbd:region", lambda c: ["province", "14"], "get", Perm.RP_VIEW, RP_REGION("14", None), FORMATS),
    ("pbd:region", lambda c: ["province", "15"], "get", Perm.RP_VIEW, RP_REGION("15", None), [""]),
    ("pbd:region", lambda c: ["regency", "14.01"], "get", Perm.RP_VIEW, RP_REGION("14", "14.01"), FORMATS),
    ("pbd:region", lambda c: ["regency", "14.71"], "get", Perm.RP_VIEW, RP_REGION("14", "14.71"), [""]),
    (
        "pbd:region",
        lambda c: ["district", c["a"].district.code],
        "get",
        Perm.RP_VIEW,
        RP_REGION("14", "14.01"),
        [""],
    ),
    ("pbd:region_schools", lambda c: ["regency", "14.01"], "get", Perm.RP_VIEW, RP_REGION("14", "14.01"), [""]),
    ("pbd:region_schools", lambda c: ["province", "15"], "get", Perm.RP_VIEW, RP_REGION("15", None), [""]),
    # Good practices: a published one of school a is read across Riau; a waiting one by the school's
    # followers and its reviewers; reviewed by the LPMP of Riau; proposed by school a's team.
    ("pbd:practices", lambda c: [], "get", Perm.RP_VIEW, None, ["", "csv"]),
    ("pbd:practice", lambda c: [c["practice"].pk], "get", Perm.RP_VIEW, RIAU, [""]),
    ("pbd:practice", lambda c: [c["waiting_practice"].pk], "get", Perm.RP_VIEW, PRACTICE_WAITING, [""]),
    (
        "pbd:practice_evidence",
        lambda c: [c["practice"].pk, c["practice_evidence"].pk],
        "get",
        Perm.RP_VIEW,
        RIAU,
        [""],
    ),
    ("pbd:practice_review", lambda c: [c["waiting_practice"].pk], "post", Perm.PRACTICE_REVIEW, RIAU, [""]),
    ("pbd:practice_propose", lambda c: [c["activity"].pk], "get", Perm.CYCLE_EDIT, school("a"), [""]),
    ("pbd:practice_propose", lambda c: [c["activity"].pk], "post", Perm.CYCLE_EDIT, school("a"), [""]),
]
# Reachable without an account by design (name → args).
PUBLIC = {
    "login": [],
    "logout": [],
    "password_reset": [],
    "password_reset_done": [],
    "password_reset_confirm": ["MQ", "set-password"],
    "password_reset_complete": [],
    "set_language": [],
    "healthz": [],
    # Respondents have no account: their pages are guarded by the personal code instead
    # (mutu/mapping/tests/test_respond.py checks that a code opens only its own questionnaire).
    "respond:code": [],
    "respond:questions": ["ABCDEFGHJK"],
    "respond:worker": [],
    "respond:sync": ["ABCDEFGHJK"],
    "respond:submit": ["ABCDEFGHJK"],
    # A participant's own attendance (guarded by the day's code and the personal code, throttled) and the
    # public certificate check (number, name and event only, throttled): mutu/programme/tests.
    "check_in": [],
    "check_in_code": ["ABCDEF"],
    "check_in_sync": [],
    "check_in_worker": [],
    "certificate_verify": [],
}
# The read API (answers 401 without credentials instead of redirecting to the login page).
API = [
    ("api:instruments", lambda c: [], Perm.ROUND_VIEW, None),
    ("api:instrument", lambda c: ["tiny"], Perm.ROUND_VIEW, None),
    ("api:instrument", lambda c: ["riau-draft"], Perm.ROUND_VIEW, RIAU_DRAFT),
    ("api:rounds", lambda c: [], Perm.ROUND_VIEW, None),
    ("api:progress", lambda c: [c["round"].pk], Perm.ROUND_VIEW, EVERY_SCHOOL),
    ("api:school_rapor", lambda c: [c["round"].pk, c["a"].npsn], Perm.ROUND_VIEW, school("a")),
    ("api:region", lambda c: [c["round"].pk, "regency", "14.01"], Perm.ROUND_VIEW, region(regency__code="14.01")),
    ("api:golden_thread", lambda c: [c["a"].npsn, 2026, "1.1.1"], Perm.CYCLE_VIEW, school("a")),
    ("api:rp_school", lambda c: [c["a"].npsn, 2025], Perm.RP_VIEW, school("a")),
    ("api:rp_region", lambda c: ["regency", "14.01", 2025], Perm.RP_VIEW, RP_REGION("14", "14.01")),
    ("api:rp_region", lambda c: ["nation", "id", 2025], Perm.RP_VIEW, RP_REGION(None, None)),
]
API_PUBLIC = {"api:openapi-json": [], "api:openapi-view": [], "api:api-root": []}
# Need an account but no role.
ACCOUNT_ONLY = {"password_change": [], "password_change_done": [], "two_factor": []}


def allowed(user, perm, target):
    """Whether the user's memberships grant `perm` over the target: any school of it, all of it, or
    (import jobs) being its uploader."""
    if not user.is_authenticated:
        return False
    if perm is not None and not has_perm(user, perm):
        return False
    if target is None:
        return True
    mode, what = target
    if mode == "uploader":
        return user == what
    if mode == "personas":
        return user.username in what
    if mode == "completer":
        school = School.objects.filter(pk=what.school_id)
        riau = ("all", School.objects.filter(province__code="14"))
        return allowed(user, Perm.PROGRAMME_PROPOSE, ("any", school)) or allowed(user, Perm.PROGRAMME_MANAGE, riau)
    if mode == "keeper":  # a published rapor: its pengawas, or the LPMP / pusat over the school
        return allowed(user, Perm.VERVAL, ("any", what)) or allowed(user, Perm.ROUND_MANAGE, ("any", what))
    if mode == "waiting":  # a good practice not yet published: the school's followers and its reviewers
        riau = School.objects.filter(province__code="14")
        return allowed(user, Perm.CYCLE_VIEW, ("any", what)) or allowed(user, Perm.PRACTICE_REVIEW, ("any", riau))
    if mode == "talk":
        return allowed(user, Perm.CYCLE_EDIT, ("any", what)) or allowed(user, Perm.CYCLE_REVIEW, ("any", what))
    if mode == "token":
        school = what.user.memberships.get().school
        return user == what.user or allowed(user, Perm.TOKEN_MANAGE, ("all", School.objects.filter(pk=school.pk)))
    if mode == "region":
        from mutu.accounts.scopes import area_for
        from mutu.regions.models import Province, Regency

        province, regency = what
        area = area_for(user, perm)
        if area.national or province is None:
            return area.national
        province_id = Province.objects.get(code=province).pk
        regency_id = Regency.objects.get(code=regency).pk if regency else None
        return province_id in area.provinces | area.province_levels or regency_id in area.regencies
    if mode == "owner":
        from mutu.instruments.selectors import owned_versions

        return owned_versions(user).filter(pk=what.pk).exists()
    scope = schools_for_user(user, perm)
    if mode == "any":
        return scope.filter(pk__in=what.values("pk")).exists()
    return not what.exclude(pk__in=scope.values("pk")).exists()


def _patterns(resolver=None, prefix=""):
    """(route, name) of every URL pattern outside the admin, named or not."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                yield from ((str(pattern.pattern) + route, name) for route, name in _patterns(pattern, namespace))
        elif isinstance(pattern, URLPattern):
            yield str(pattern.pattern), (prefix + pattern.name) if pattern.name else None


def _route(url):
    match = resolve(url.split("?")[0])
    return match.route


# Requests made: per case each persona with each format and each other method, plus one anonymous; per
# API endpoint two without a valid token, then each persona with GET and three other methods.
CASES = sum(len(PERSONAS) * (len(formats) + len(OTHER_METHODS)) + 1 for *_rest, formats in MATRIX) + len(API) * (
    2 + len(PERSONAS) * 4
)


def test_every_url_is_in_the_matrix(context, capsys):
    covered = {_route(reverse(name, args=args(context))) for name, args, *_ in MATRIX}
    covered |= {_route(reverse(name, args=args(context))) for name, args, *_ in API}
    for names in (PUBLIC, API_PUBLIC, ACCOUNT_ONLY):
        covered |= {_route(reverse(name, args=args)) for name, args in names.items()}
    missing = {(route, name) for route, name in _patterns() if route not in covered}
    assert missing == set()
    with capsys.disabled():
        print(f"\naccess matrix: {len(MATRIX) + len(API)} URL cases, {CASES} requests (persona × method × format)")


@pytest.fixture
def context(personas, schools):
    """Objects the URLs point at: an import job of `lpmp`, and a scored national round."""
    from datetime import date

    from django.core.files.base import ContentFile

    from mutu.accounts.tokens import create_token
    from mutu.core.models import DocumentJob
    from mutu.cycle.models import Evidence, Problem, SchoolDocument
    from mutu.cycle.services import start_cycle
    from mutu.factories import ActivityFactory
    from mutu.instruments.models import InstrumentUpload, Node
    from mutu.instruments.services import load_instrument
    from mutu.mapping import scoring, services
    from mutu.mapping.tests.conftest import TINY
    from mutu.schools.models import SchoolImport

    job = SchoolImport.objects.create(uploaded_by=personas["lpmp"], original_name="x.csv", file="imports/x.csv")
    upload = InstrumentUpload.objects.create(uploaded_by=personas["lpmp"], original_name="i.yaml", file="i/i.yaml")
    instrument = load_instrument(TINY, publish=True)
    draft = load_instrument({**TINY, "code": "riau-draft"}, province=schools["a"].province)
    create_token(user=personas["kepsek_a"], name="dasbor")
    cycle = start_cycle(actor=personas["kepsek_a"], school=schools["a"], year=2026)
    token = personas["kepsek_a"].api_tokens.get()
    round_ = services.create_round(
        actor=personas["pusat"],
        name="Nasional",
        year=2026,
        instrument=instrument,
        opens_on=date(2026, 1, 1),
        closes_on=date(2099, 1, 1),
        quotas={"SD": {"ks": 1}},
    )
    for key in ("a", "d"):
        (slot,) = services.add_respondents(
            actor=None, round_=round_, school=schools[key], respondent_type="ks", count=1
        )
        services.submit_answers(respondent=slot, options=[])
    scoring.score_round(round_.pk)
    node = Node.objects.get(version=instrument, code="1.1.1")
    problem = Problem.objects.create(cycle=cycle, node=node, round=round_)
    activity = ActivityFactory(program__cycle=cycle)
    program = activity.program
    return {
        **schools,
        **{"job": job, "upload": upload, "draft": draft, "token": token, "round": round_, "node": node},
        "problem": problem,
        "program": program,
        "activity": activity,
        "visit": _visit(personas["pengawas"], schools["a"]),
        "document_job": DocumentJob.objects.create(
            kind="programme.invitations",
            key="x",
            title="Undangan",
            requested_by=personas["lpmp"],
            state="done",
            file=ContentFile(b"%PDF-1.4", name="undangan.pdf"),
            filename="undangan.pdf",
        ),
        "document": SchoolDocument.objects.create(
            school=schools["a"],
            kind="kebijakan",
            title="Kebijakan",
            file=ContentFile(b"%PDF", name="k.pdf"),
            original_name="k.pdf",
            mime="application/pdf",
        ),
        "evidence": Evidence.objects.create(
            activity=activity, file=ContentFile(b"%PDF-1.4 bukti", name="bukti.pdf"), original_name="bukti.pdf"
        ),
        **_programme(personas, schools),
        **_rapor_pendidikan(personas, schools),
    }


def _rapor_pendidikan(personas, schools):
    """School a's 2025 figures (so every format has rows) and an import job of `lpmp`."""
    from mutu.cycle.models import Activity, BudgetLine
    from mutu.pbd.models import Achievement, Indicator, RaporImport

    Achievement.objects.create(
        school=schools["a"], indicator=Indicator.objects.get(framework__year=2025, code="A.1"), year=2025, score=50
    )
    job = RaporImport.objects.create(uploaded_by=personas["lpmp"], original_name="rp.xlsx", file="rp/rp.xlsx")
    activity = Activity.objects.filter(program__cycle__school=schools["a"]).first()
    line = BudgetLine.objects.create(
        activity=activity,
        code="05.02.01",
        arkas_activity="Buku",
        item="Buku",
        month=3,
        quantity=1,
        unit="buah",
        unit_cost=1,
    )
    return {"rp_job": job, "budget_line": line, **_practices(activity, schools["a"])}


def _practices(activity, school):
    """A published good practice of school a with its evidence, and a waiting one."""
    from django.core.files.base import ContentFile

    from mutu.cycle.models import Evidence, Problem
    from mutu.factories import ActivityFactory
    from mutu.pbd.models import Indicator, Practice

    indicator = Indicator.objects.get(framework__year=2025, code="A.1")
    problem = Problem.objects.create(cycle=activity.program.cycle, indicator=indicator, capaian="kurang")
    story = {"problem_text": "p", "root_cause": "r", "action": "a", "result": "h", "before": 40, "after": 50}
    made = {}
    for key, state, done in (("practice", "published", activity), ("waiting_practice", "proposed", None)):
        done = done or ActivityFactory(program=activity.program)
        made[key] = Practice.objects.create(
            activity=done,
            problem=problem,
            school=school,
            indicator=indicator,
            level=school.level,
            title=key,
            state=state,
            reach="province" if state == "published" else "",
            proposed_at=timezone.now(),
            **story,
        )
    made["practice_evidence"] = Evidence.objects.create(
        activity=activity, file=ContentFile(b"%PDF-1.4 praktik", name="praktik.pdf"), original_name="praktik.pdf"
    )
    made["practice"].evidence.add(made["practice_evidence"])
    return made


def _visit(pengawas, school):
    """A visit to school a; the follow-up URL points at its report of that school."""
    from datetime import date

    from mutu.cycle.tests.test_monitoring import visit_to

    return visit_to(pengawas, [school], date(2026, 4, 2)).reports.get()


@pytest.mark.parametrize(
    "name,args,method,perm,target,formats", MATRIX, ids=[f"{m[0]}-{m[2]}-{i}" for i, m in enumerate(MATRIX)]
)
def test_access(client, personas, context, name, args, method, perm, target, formats):
    url = reverse(name, args=args(context))
    aim = target(context) if target else None
    for username in PERSONAS:
        user = personas[username]
        client.force_login(user)
        inside = allowed(user, perm, aim)
        for fmt in formats:
            response = getattr(client, method)(f"{url}?format={fmt}" if fmt else url)
            if inside:  # 422: let in, but the (empty) form was refused
                assert response.status_code in (200, 302, 422), (username, method, url, fmt, response.status_code)
                if response.status_code == 302:
                    assert "/accounts/login/" not in response["Location"], (username, url)
            else:
                assert response.status_code in (403, 404), (username, method, url, fmt, response.status_code)
        for other in OTHER_METHODS:
            response = getattr(client, other)(url)
            assert response.status_code in (403, 404, 405), (username, other, url, response.status_code)
    client.logout()
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(ACCOUNT_ONLY))
def test_account_pages_need_login(client, personas, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(personas["nobody"])
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["login", "password_reset", "healthz"])
def test_public_pages(client, db, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name,args,perm,target", API, ids=[m[0] for m in API])
def test_api_access(client, personas, context, name, args, perm, target):
    from mutu.accounts.tokens import create_token

    url = reverse(name, args=args(context))
    aim = target(context) if target else None
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    for username in PERSONAS:
        user = personas[username]
        token = f"Bearer {create_token(user=user, name='uji')}"
        response = client.get(url, HTTP_AUTHORIZATION=token)
        if allowed(user, perm, aim):
            assert response.status_code == 200, (username, url, response.status_code)
        else:
            assert response.status_code in (403, 404), (username, url, response.status_code)
        for other in ("post", "put", "delete"):
            assert getattr(client, other)(url, HTTP_AUTHORIZATION=token).status_code == 405, (username, other, url)


def test_error_pages_speak_indonesian(client, personas, settings):
    client.force_login(personas["kepsek_a"])
    missing = client.get("/tidak-ada/")
    assert missing.status_code == 404 and "Halaman tidak ditemukan" in missing.content.decode()
    refused = client.get(reverse("audit_log"))
    assert refused.status_code == 403 and "Akses ditolak" in refused.content.decode()
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("id"):
        assert "Terjadi kesalahan" in render_to_string("500.html")


def test_nul_bytes_and_huge_offsets_get_a_message_not_a_500(client, personas, context):
    from mutu.accounts.tokens import create_token

    client.force_login(personas["pusat"])
    assert client.get("/schools/", {"q": "a\x00b"}).status_code == 400
    assert client.get("/mapping/1/regions/regency/14.\x0001/").status_code == 400
    response = client.post(reverse("respond:code"), {"code": "AB\x00CD"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    token = f"Bearer {create_token(user=personas['pusat'], name='uji')}"
    url = reverse("api:progress", args=[context["round"].pk])
    assert client.get(url, {"offset": 2**63 + 5}, HTTP_AUTHORIZATION=token).status_code == 422
    refused = client.get(url, {"x\x00": "1"}, HTTP_AUTHORIZATION=token)
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]


def _programme(personas, schools):
    """A Riau cohort whose model school is `a` (imbas `c`), with an event for Kampar run by `fasilitator`."""
    from datetime import date

    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mutu.programme import certificates, evaluation, events, services
    from mutu.programme.models import Attendance, Participant, ParticipantImport

    lpmp = personas["lpmp"]
    pdf = b"%PDF-1.4\n%%EOF\n"
    cohort = services.create_cohort(actor=lpmp, province=schools["a"].province, year=2026, name="Model")
    record = services.propose(
        actor=personas["pengawas"],
        cohort=cohort,
        school=schools["a"],
        commitment=SimpleUploadedFile("k.pdf", pdf),
        regional_support=True,
    )
    record = services.move(actor=lpmp, record=record, name="designate", decree_number="SK", decree_date=date.today())
    # A candidate of another Riau cohort, so that its school's staff see nothing more of this one.
    later = services.create_cohort(actor=lpmp, province=schools["a"].province, year=2027, name="Model 2027")
    candidate = services.propose(actor=personas["pengawas_other"], cohort=later, school=schools["b"])
    imbas = services.add_imbas(actor=lpmp, model_school=record, school=schools["c"])
    visit = services.record_imbas_visit(
        actor=lpmp,
        imbas=imbas,
        evidence=SimpleUploadedFile("v.pdf", pdf),
        data={
            "starts_on": date(2026, 4, 1),
            "ends_on": date(2026, 4, 3),
            "mentor": "m",
            "participants": "p",
            "report": "r",
        },
    )
    services.save_grant(
        actor=lpmp,
        model_school=record,
        data={"amount": 1000, "agreement_number": "P", "agreement_date": date(2026, 3, 1)},
    )
    agreement = services.save_agreement(
        actor=lpmp,
        cohort=cohort,
        upload=SimpleUploadedFile("n.pdf", pdf),
        data={"regency": schools["a"].regency, "number": "NK", "signed_on": date(2026, 2, 1), "commitments": "c"},
    )
    event = events.save_event(
        actor=lpmp,
        cohort=cohort,
        facilitators=[personas["fasilitator"]],
        data={"name": "Bimtek", "kind": "bimtek", "mode": "luring", "days": 1},
    )
    session = events.save_session(actor=lpmp, event=event, data={"name": "TPK"}, regencies=[schools["a"].regency])
    participant = Participant.objects.create(
        event=event,
        session=session,
        name="Rosmawati",
        role="ks_binaan",
        regency=schools["a"].regency,
        school=schools["a"],
        key="k",
        code="PCODE",
    )
    Attendance.objects.create(participant=participant, day=1, method="daftar")
    certificates.generate(event.pk)
    evaluation.compute(actor=lpmp, cohort=cohort, year=2026)
    return {
        "cohort": cohort,
        "model_school": record,
        "candidate": candidate,
        "imbas": imbas,
        "imbas_visit": visit,
        "agreement": agreement,
        "event": event,
        "session": session,
        "participant": participant,
        "certificate": participant.certificate,
        "code": events.open_code(actor=lpmp, session=session, day=1, minutes=30),
        "material": events.add_material(
            actor=lpmp, event=event, title="Modul", upload=SimpleUploadedFile("m.pdf", pdf)
        ),
        "evaluation": record.evaluations.get(),
        "import": ParticipantImport.objects.create(
            event=event, uploaded_by=lpmp, original_name="p.csv", file=ContentFile(b"x", name="p.csv"), state="done"
        ),
    }
