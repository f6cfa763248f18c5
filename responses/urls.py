from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
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
