from django.urls import path

from .views import analysing, doing, plans, reviews, steps, visits

app_name = "cycle"
urlpatterns = [
    path("", steps.cycle_home, name="home"),
    path("settings/<str:code>/", steps.configure, name="configure"),
    path("overview/", reviews.overview, name="overview"),
    path("visits/", visits.visits, name="visits"),
    path("visits/<int:pk>/follow-up/", visits.visit_follow_up, name="visit_follow_up"),
    path("<str:npsn>/<int:year>/", steps.school_cycle, name="school"),
    path("<str:npsn>/<int:year>/start/", steps.start, name="start"),
    path("<str:npsn>/<int:year>/analysis/", analysing.analysis_page, name="analysis"),
    path("<str:npsn>/<int:year>/analysis/choose/", analysing.analysis_choose, name="analysis_choose"),
    path("<str:npsn>/<int:year>/analysis/<int:pk>/<str:action>/", analysing.analysis_problem, name="analysis_problem"),
    path("<str:npsn>/<int:year>/plan/", plans.plan_page, name="plan"),
    path("<str:npsn>/<int:year>/plan/copy/", plans.plan_copy, name="plan_copy"),
    path("<str:npsn>/<int:year>/plan/programs/", plans.plan_program, name="program_add"),
    path("<str:npsn>/<int:year>/plan/programs/<int:pk>/", plans.plan_program, name="program"),
    path("<str:npsn>/<int:year>/plan/programs/<int:program_pk>/activities/", plans.plan_activity, name="activity_add"),
    path(
        "<str:npsn>/<int:year>/plan/programs/<int:program_pk>/activities/<int:pk>/",
        plans.plan_activity,
        name="activity",
    ),
    path("<str:npsn>/<int:year>/rkas/", plans.rkas_page, name="rkas"),
    path("<str:npsn>/<int:year>/report/<str:kind>/", plans.report_page, name="report"),
    path("<str:npsn>/<int:year>/implementation/", doing.implementation_page, name="implementation"),
    path("<str:npsn>/<int:year>/implementation/<int:pk>/", doing.implementation_record, name="implementation_record"),
    path("<str:npsn>/<int:year>/implementation/<int:pk>/evidence/", doing.evidence_add, name="evidence_add"),
    path("<str:npsn>/<int:year>/evidence/<int:pk>/", doing.evidence_download, name="evidence"),
    path("<str:npsn>/<int:year>/monev/", reviews.monev_page, name="monev"),
    path("<str:npsn>/<int:year>/thread/<str:code>/", reviews.thread_page, name="thread"),
    path("<str:npsn>/<int:year>/monev/<int:pk>/<str:dimension>/", reviews.monev_save, name="monev_save"),
    path("<str:npsn>/<int:year>/standards/", reviews.standards_page, name="standards"),
    path("<str:npsn>/<int:year>/standards/<int:pk>/", reviews.standards_save, name="standards_save"),
    path("<str:npsn>/<int:year>/standards/distinctive/", reviews.distinctive_save, name="distinctive"),
    path("<str:npsn>/<int:year>/documents/", reviews.document_upload, name="document_upload"),
    path("<str:npsn>/<int:year>/documents/<int:pk>/", reviews.document_download, name="document"),
    path("<str:npsn>/<int:year>/evidence/<int:pk>/remove/", doing.evidence_remove, name="evidence_remove"),
    path("<str:npsn>/<int:year>/<str:step>/comment/", steps.comment, name="comment"),
    path("<str:npsn>/<int:year>/<str:step>/<str:name>/", steps.move, name="move"),
]
