from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/",
        views.ResponseDetailView.as_view(),
        name="detail",
    ),
]
