from django.urls import path

from . import respond

app_name = "respond"
urlpatterns = [
    path("", respond.enter_code, name="code"),
    path("<str:code>/", respond.questions, name="questions"),
    path("<str:code>/answer/<int:question_id>/", respond.answer, name="answer"),
    path("<str:code>/sync/", respond.sync, name="sync"),
    path("<str:code>/submit/", respond.submit, name="submit"),
]
