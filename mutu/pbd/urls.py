from django.urls import path

from . import views

app_name = "pbd"
urlpatterns = [
    path("", views.home, name="home"),
    path("impor/", views.import_start, name="import"),
    path("impor/<int:pk>/", views.import_job, name="import_job"),
    path("contoh/<str:kind>.xlsx", views.example, name="example"),
    path("sekolah/<str:npsn>/", views.school, name="school"),
    path("wilayah/<str:area>/<str:code>/", views.region, name="region"),
    path("wilayah/<str:area>/<str:code>/sekolah/", views.region_schools, name="region_schools"),
]
urlpatterns += [
    path("praktik-baik/", views.practices, name="practices"),
    path("praktik-baik/<int:pk>/", views.practice, name="practice"),
    path("praktik-baik/<int:pk>/tinjau/", views.practice_review, name="practice_review"),
    path("praktik-baik/<int:pk>/bukti/<int:evidence_pk>/", views.practice_evidence, name="practice_evidence"),
    path("praktik-baik/usul/<int:activity_pk>/", views.practice_propose, name="practice_propose"),
]
