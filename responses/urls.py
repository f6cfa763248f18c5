"""Every page's address, in one module: the recommendations, the councils (everything under
/authorities/<slug>/, a council's pages, papers and responses) and the responses across councils.

The names keep their namespaces ("recommendations:", "authorities:", "responses:"), each a list below
that laming/urls.py includes with its namespace. This module is at the top of the imports (see the
README's Architecture), so it may route to any app's views.
"""

from django.urls import path

from authorities import council_views as joining
from authorities import people_views as people
from authorities import views as papers
from responses.cabinet import views as cabinet

from . import assurance_views, import_views, recommendation_views, views

recommendation_patterns = [
    path("recommendations/", recommendation_views.RecommendationListView.as_view(), name="list"),
    path(
        "recommendations/<int:number>/",
        recommendation_views.RecommendationDetailView.as_view(),
        name="detail",
    ),
    path("commitments/", recommendation_views.CommitmentListView.as_view(), name="commitments"),
]

council_patterns = [
    path("authorities/", papers.AuthorityListView.as_view(), name="list"),
    # Adding councils (administrators). Before <slug:slug>/: "new" is no council's slug.
    path("authorities/new/", joining.new_council, name="new"),
    path("authorities/new/upload/", joining.upload_councils, name="upload"),
    path("authorities/new/upload/confirm/", joining.confirm_upload, name="upload_confirm"),
    path("authorities/new/upload/template.<str:fmt>", joining.upload_template, name="upload_template"),
    path("authorities/<slug:slug>/", views.CouncilDashboardView.as_view(), name="detail"),
    # Committee papers: Cabinet reports (frozen once issued) and decision records.
    path("authorities/<slug:slug>/reports/", cabinet.report_list, name="reports"),
    path("authorities/<slug:slug>/reports/new/", cabinet.new_report, name="report_new"),
    path("authorities/<slug:slug>/reports/<int:pk>/", cabinet.report_detail, name="report"),
    path("authorities/<slug:slug>/reports/<int:pk>/edit/", cabinet.edit_report, name="report_edit"),
    path("authorities/<slug:slug>/reports/<int:pk>/preview/", cabinet.preview_report, name="report_preview"),
    path("authorities/<slug:slug>/reports/<int:pk>/report.pdf", cabinet.report_pdf, name="report_pdf"),
    path("authorities/<slug:slug>/reports/<int:pk>/report.docx", cabinet.report_docx, name="report_docx"),
    path("authorities/<slug:slug>/reports/<int:pk>/issue/", cabinet.issue_report, name="report_issue"),
    path(
        "authorities/<slug:slug>/cabinet-report.pdf",
        cabinet.draft_cabinet_report_pdf,
        name="cabinet_report_pdf",
    ),
    path(
        "authorities/<slug:slug>/cabinet-report.docx",
        cabinet.draft_cabinet_report_docx,
        name="cabinet_report_docx",
    ),
    # Updating a council's responses from its spreadsheet (the export is the template).
    path("authorities/<slug:slug>/import/", import_views.upload_spreadsheet, name="import"),
    path("authorities/<slug:slug>/import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path(
        "authorities/<slug:slug>/import/<int:pk>/confirm/", import_views.confirm_import, name="import_confirm"
    ),
    path(
        "authorities/<slug:slug>/import/<int:pk>/discard/", import_views.discard_import, name="import_discard"
    ),
    path("authorities/<slug:slug>/meetings/<int:pk>/decision/", papers.decision_detail, name="decision"),
    path("authorities/<slug:slug>/meetings/<int:pk>/decision.pdf", papers.decision_pdf, name="decision_pdf"),
    path(
        "authorities/<slug:slug>/meetings/<int:pk>/decision/record/",
        papers.record_decision,
        name="decision_record",
    ),
    # Assurance (responses/assurance_views.py): evidence documents are served only through the app, as
    # downloads; the chair's page lists what waits, and decides it.
    path("authorities/<slug:slug>/evidence/<int:pk>/", assurance_views.download_evidence, name="evidence"),
    path(
        "authorities/<slug:slug>/evidence/<int:pk>/withdraw/",
        assurance_views.withdraw_document,
        name="evidence_withdraw",
    ),
    path("authorities/<slug:slug>/assurance/", assurance_views.assurance_list, name="assurance"),
    path(
        "authorities/<slug:slug>/assurance/<int:response_pk>/",
        assurance_views.assurance_decision,
        name="assurance_decision",
    ),
    # The council's people: for its administrators, and administrators (authorities/people_views.py).
    path("authorities/<slug:slug>/people/", people.people_list, name="people"),
    path("authorities/<slug:slug>/people/invite/", people.invite, name="people_invite"),
    path("authorities/<slug:slug>/people/<int:user_id>/", people.person_detail, name="person"),
    path(
        "authorities/<slug:slug>/people/<int:user_id>/deactivate/",
        people.deactivate,
        name="person_deactivate",
    ),
    path(
        "authorities/<slug:slug>/people/<int:user_id>/reactivate/",
        people.reactivate,
        name="person_reactivate",
    ),
    path(
        "authorities/<slug:slug>/invitations/<int:pk>/withdraw/",
        people.withdraw_invitation,
        name="invitation_withdraw",
    ),
    path(
        "authorities/<slug:slug>/invitations/<int:pk>/send-again/",
        people.send_invitation_again,
        name="invitation_send_again",
    ),
    # The link in an invitation's mail: open without signing in.
    path("invitations/<str:token>/", people.accept_invitation, name="invitation"),
]

# A council's responses: under /authorities/<slug>/ too, named "responses:".
response_patterns = [
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
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/evidence/new/",
        assurance_views.add_evidence,
        name="evidence_new",
    ),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/parts/<slug:letter>/evidence/new/",
        assurance_views.add_evidence,
        name="evidence_new_part",
    ),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/assurance/request/",
        assurance_views.ask_for_assurance,
        name="assurance_request",
    ),
    path(
        "authorities/<slug:slug>/recommendations/<int:number>/parts/<slug:letter>/assurance/request/",
        assurance_views.ask_for_assurance,
        name="assurance_request_part",
    ),
]
