from django.urls import path

from responses.views import CouncilDashboardView

from . import views

app_name = "authorities"

urlpatterns = [
    path("authorities/", views.AuthorityListView.as_view(), name="list"),
    # The council page is its dashboard, which lives with the responses it summarises.
    path("authorities/<slug:slug>/", CouncilDashboardView.as_view(), name="detail"),
    # Committee papers: Cabinet reports (frozen once issued) and decision records.
    path("authorities/<slug:slug>/reports/", views.report_list, name="reports"),
    path("authorities/<slug:slug>/reports/new/", views.new_report, name="report_new"),
    path("authorities/<slug:slug>/reports/<int:pk>/", views.report_detail, name="report"),
    path("authorities/<slug:slug>/reports/<int:pk>/edit/", views.edit_report, name="report_edit"),
    path("authorities/<slug:slug>/reports/<int:pk>/preview/", views.preview_report, name="report_preview"),
    path("authorities/<slug:slug>/reports/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("authorities/<slug:slug>/reports/<int:pk>/issue/", views.issue_report, name="report_issue"),
    path(
        "authorities/<slug:slug>/cabinet-report.pdf",
        views.draft_cabinet_report_pdf,
        name="cabinet_report_pdf",
    ),
    path("authorities/<slug:slug>/meetings/<int:pk>/decision/", views.decision_detail, name="decision"),
    path("authorities/<slug:slug>/meetings/<int:pk>/decision.pdf", views.decision_pdf, name="decision_pdf"),
    path(
        "authorities/<slug:slug>/meetings/<int:pk>/decision/record/",
        views.record_decision,
        name="decision_record",
    ),
]
