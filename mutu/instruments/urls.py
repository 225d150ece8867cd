from django.urls import path

from . import views

app_name = "instruments"
urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("<slug:code>.<str:fmt>", views.instrument_download, name="download"),
]
