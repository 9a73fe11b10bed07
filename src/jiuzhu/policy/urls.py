"""Policy URLs, mounted at /policy/."""

from __future__ import annotations

from django.urls import path

from jiuzhu.policy import api, parameter_views, views

app_name = "policy"

urlpatterns = [
    path("trial/", views.trial, name="trial"),
    path("api/assess/", api.assess, name="api_assess"),
    path("parameters/", parameter_views.parameter_list, name="parameter_list"),
    path("parameters/<str:name>/", parameter_views.parameter_detail, name="parameter_detail"),
    path("changes/<int:pk>/decide/", parameter_views.change_decide, name="change_decide"),
]
