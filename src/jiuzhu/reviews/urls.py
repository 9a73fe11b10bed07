"""民主评议 URLs, mounted at /reviews/. Every route taking an id is jurisdiction-scoped."""

from __future__ import annotations

from django.urls import path

from jiuzhu.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_open, name="meeting_open"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/votes/", views.case_votes, name="case_votes"),
    path("<int:pk>/conclude/", views.case_conclude, name="case_conclude"),
    path("panels/", views.panel_list, name="panel_list"),
    path("panels/<int:pk>/", views.panel_detail, name="panel_detail"),
    path("panels/members/<int:pk>/active/", views.member_active, name="member_active"),
]
