from django.urls import path

from . import views

app_name = "mapping"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_create, name="create"),
    path("<int:pk>/score/", views.round_score, name="score"),
    path("<int:pk>/", views.round_progress, name="progress"),
    path("<int:pk>/export/<str:what>.csv", views.export_csv, name="export"),
    path("<int:pk>/regions/<str:kind>/<str:code>/", views.region_rapor, name="region"),
    path("<int:pk>/regions/nation/", views.region_rapor, {"kind": "nation", "code": ""}, name="nation"),
    path("<int:pk>/regions/mine/", views.my_region, name="my_region"),
    path("<int:pk>/schools/<str:npsn>/respondents/", views.school_respondents, name="respondents"),
    path("<int:pk>/schools/<str:npsn>/respondents/sheet.pdf", views.respondent_sheet, name="sheet"),
    path("<int:pk>/schools/<str:npsn>/rapor/", views.school_rapor, name="rapor"),
    path("<int:pk>/verval/", views.verval_list, name="verval_list"),
    path("<int:pk>/schools/<str:npsn>/verval/", views.verval, name="verval"),
    path("<int:pk>/schools/<str:npsn>/verify/<int:node_id>/", views.verify, name="verify"),
    path("<int:pk>/schools/<str:npsn>/agree/<int:node_id>/", views.agree_all, name="agree"),
    path("<int:pk>/schools/<str:npsn>/advance/", views.finish_verification, name="advance"),
    path("<int:pk>/schools/<str:npsn>/reopen/", views.rapor_keep, {"action": "reopen"}, name="reopen"),
    path("<int:pk>/schools/<str:npsn>/set-aside/", views.rapor_keep, {"action": "set-aside"}, name="set_aside"),
]
