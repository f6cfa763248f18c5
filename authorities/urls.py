from django.urls import path

from . import views

app_name = "authorities"

urlpatterns = [
    path("authorities/", views.AuthorityListView.as_view(), name="list"),
    path("authorities/<slug:slug>/", views.AuthorityDetailView.as_view(), name="detail"),
]
