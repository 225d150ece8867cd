from django.urls import path

from . import views

app_name = "cycle"
urlpatterns = [
    path("", views.cycle_home, name="home"),
    path("settings/<str:code>/", views.configure, name="configure"),
    path("overview/", views.overview, name="overview"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/follow-up/", views.visit_follow_up, name="visit_follow_up"),
    path("<str:npsn>/<int:year>/", views.school_cycle, name="school"),
    path("<str:npsn>/<int:year>/start/", views.start, name="start"),
    path("<str:npsn>/<int:year>/analysis/", views.analysis_page, name="analysis"),
    path("<str:npsn>/<int:year>/analysis/choose/", views.analysis_choose, name="analysis_choose"),
    path("<str:npsn>/<int:year>/analysis/<int:pk>/<str:action>/", views.analysis_problem, name="analysis_problem"),
    path("<str:npsn>/<int:year>/plan/", views.plan_page, name="plan"),
    path("<str:npsn>/<int:year>/plan/copy/", views.plan_copy, name="plan_copy"),
    path("<str:npsn>/<int:year>/plan/programs/", views.plan_program, name="program_add"),
    path("<str:npsn>/<int:year>/plan/programs/<int:pk>/", views.plan_program, name="program"),
    path("<str:npsn>/<int:year>/plan/programs/<int:program_pk>/activities/", views.plan_activity, name="activity_add"),
    path(
        "<str:npsn>/<int:year>/plan/programs/<int:program_pk>/activities/<int:pk>/",
        views.plan_activity,
        name="activity",
    ),
    path("<str:npsn>/<int:year>/rkas/", views.rkas_page, name="rkas"),
    path("<str:npsn>/<int:year>/report/<str:kind>/", views.report_page, name="report"),
    path("<str:npsn>/<int:year>/implementation/", views.implementation_page, name="implementation"),
    path("<str:npsn>/<int:year>/implementation/<int:pk>/", views.implementation_record, name="implementation_record"),
    path("<str:npsn>/<int:year>/implementation/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<str:npsn>/<int:year>/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("<str:npsn>/<int:year>/monev/", views.monev_page, name="monev"),
    path("<str:npsn>/<int:year>/thread/<str:code>/", views.thread_page, name="thread"),
    path("<str:npsn>/<int:year>/monev/<int:pk>/<str:dimension>/", views.monev_save, name="monev_save"),
    path("<str:npsn>/<int:year>/standards/", views.standards_page, name="standards"),
    path("<str:npsn>/<int:year>/standards/<int:pk>/", views.standards_save, name="standards_save"),
    path("<str:npsn>/<int:year>/standards/distinctive/", views.distinctive_save, name="distinctive"),
    path("<str:npsn>/<int:year>/documents/", views.document_upload, name="document_upload"),
    path("<str:npsn>/<int:year>/documents/<int:pk>/", views.document_download, name="document"),
    path("<str:npsn>/<int:year>/evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("<str:npsn>/<int:year>/<str:step>/comment/", views.comment, name="comment"),
    path("<str:npsn>/<int:year>/<str:step>/<str:name>/", views.move, name="move"),
]
