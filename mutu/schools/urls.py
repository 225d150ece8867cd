from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("", views.school_list, name="list"),
    path("export.<str:fmt>", views.school_export, name="export"),
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("<str:npsn>/", views.school_detail, name="detail"),
    path("<str:npsn>/edit/", views.school_edit, name="edit"),
]
