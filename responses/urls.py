from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("dashboard/", views.ComparisonView.as_view(), name="comparison"),
    path("responses/", views.ResponseListView.as_view(), name="list"),
    path("responses/export.<str:fmt>", views.export_responses, name="export"),
    path("authorities/<slug:slug>/responses.<str:fmt>", views.export_council, name="council_export"),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/",
        views.ResponseDetailView.as_view(),
        name="detail",
    ),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/edit/",
        views.edit_response,
        name="edit",
    ),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/parts/<slug:letter>/edit/",
        views.edit_response,
        name="edit_part",
    ),
]
