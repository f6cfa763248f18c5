from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("recommendations/", views.RecommendationListView.as_view(), name="list"),
    path("recommendations/<int:number>/", views.RecommendationDetailView.as_view(), name="detail"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitments"),
]
