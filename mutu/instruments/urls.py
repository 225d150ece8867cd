from django.urls import path

from . import views

app_name = "instruments"
urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload"),
    path("<slug:code>/publish/", views.instrument_publish, name="publish"),
    path("<slug:code>.<str:fmt>", views.instrument_download, name="download"),
]
