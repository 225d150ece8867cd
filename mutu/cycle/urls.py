from django.urls import path

from . import views

app_name = "cycle"
urlpatterns = [
    path("", views.cycle_home, name="home"),
    path("settings/<str:code>/", views.configure, name="configure"),
    path("<str:npsn>/<int:year>/", views.school_cycle, name="school"),
    path("<str:npsn>/<int:year>/start/", views.start, name="start"),
    path("<str:npsn>/<int:year>/analysis/", views.analysis_page, name="analysis"),
    path("<str:npsn>/<int:year>/analysis/choose/", views.analysis_choose, name="analysis_choose"),
    path("<str:npsn>/<int:year>/analysis/<int:pk>/<str:action>/", views.analysis_problem, name="analysis_problem"),
    path("<str:npsn>/<int:year>/<str:step>/comment/", views.comment, name="comment"),
    path("<str:npsn>/<int:year>/<str:step>/<str:name>/", views.move, name="move"),
]
