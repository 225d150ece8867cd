from django.urls import path

from mutu.core import offline

from . import respond

app_name = "respond"
urlpatterns = [
    path("", respond.enter_code, name="code"),
    path("sw.js", offline.worker, name="worker"),
    path("<str:code>/", respond.questions, name="questions"),
    path("<str:code>/sync/", respond.sync, name="sync"),
    path("<str:code>/submit/", respond.submit, name="submit"),
]
