import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from django_tasks_db.models import DBTaskResult, get_date_max

from authorities.access import can_edit_responses, can_prepare_papers, is_administrator, memberships_of
from authorities.models import CabinetReport, Meeting, Membership
from recommendations.models import Recommendation
from responses.dashboards import councils_against_all
from responses.models import LocalResponse

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    """The start page after signing in: each of the user's councils, and what each of their roles there
    leads to. A council administrator finds the council's people; a clerk its Cabinet reports, drafts and
    decision records; everyone with a role there where it stands (for an officer, what needs doing next,
    with links to change it); an LSCB chair how it compares with every council. Administrators find the
    councils and how to add one."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = memberships_of(user)
        roles = {}
        for membership in memberships:
            if membership.authority:
                roles.setdefault(membership.authority, set()).add(membership.role)
        chaired = [authority for authority, held in roles.items() if Membership.Role.CHAIR in held]
        comparisons = councils_against_all(chaired)
        waiting = LocalResponse.objects.awaiting_assurance_counts(chaired) if chaired else {}
        worklists = []
        for authority, held in roles.items():
            worklists.append(
                {
                    "authority": authority,
                    "can_edit": can_edit_responses(user, authority),
                    "people": Membership.Role.COUNCIL_ADMINISTRATOR in held,
                    "papers": papers_of(user, authority) if Membership.Role.CLERK in held else None,
                    "compared": comparisons.get(authority),
                    # For its LSCB chair: how many responses wait for their assurance.
                    "assurance_waiting": waiting.get(authority.pk, 0) if authority in chaired else None,
                    "unanswered": list(Recommendation.objects.unanswered_by(authority)),
                    **LocalResponse.objects.worklist(authority),
                }
            )
        return super().get_context_data(
            memberships=memberships,
            worklists=worklists,
            is_administrator=is_administrator(user),
            **kwargs,
        )


# Meetings whose decision records a clerk's home page shows, beyond those still to be recorded.
LATEST_DECISIONS_SHOWN = 3


def papers_of(user, authority):
    """A council's papers as its clerk's home page lists them: its drafts, its latest issued report, the
    meetings that have taken place without a decision record, and the latest decision records. Two
    queries: the reports (without their PDFs) and the meetings."""
    reports = list(CabinetReport.objects.for_list(authority))
    meetings = list(Meeting.objects.for_papers(authority))
    decided = [meeting for meeting in meetings if hasattr(meeting, "decision")]
    return {
        "can_prepare": can_prepare_papers(user, authority),
        "drafts": [report for report in reports if not report.is_issued],
        # for_list() puts drafts first, then the issued reports newest first.
        "latest_issued": next((report for report in reports if report.is_issued), None),
        "to_record": [m for m in meetings if m.has_taken_place and not hasattr(m, "decision")],
        "decided": decided[:LATEST_DECISIONS_SHOWN],
        "more_decided": max(len(decided) - LATEST_DECISIONS_SHOWN, 0),
    }


# Open to anyone: a sign-out sent after the session has expired should land on the sign-in
# page, not ask the user to sign in only to be shown "method not allowed".
@method_decorator(login_not_required, name="dispatch")
class SignOutView(LogoutView):
    """Django's sign-out (POST only), then the sign-in page with a note saying it worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have been signed out")
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        """A GET (an old link, a prefetch) signs nobody out; say so in GOV.UK style with a 405."""
        response = render(request, "405.html", status=405)
        response["Allow"] = ", ".join(self._allowed_methods())
        return response


# Health checks for the load balancer and monitoring: open without signing in, never cached.


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """The process answers. Touches no database, so a database outage does not have every web
    server restarted as though it were the one at fault (that is /readyz's question)."""
    return HttpResponse("OK", content_type="text/plain; charset=utf-8")


# Longer than a healthy SELECT 1 can take, shorter than a load balancer's probe timeout.
READINESS_DATABASE_TIMEOUT_MS = 2000


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Ready to serve: the database answers within READINESS_DATABASE_TIMEOUT_MS, and the oldest
    job waiting in the queue has waited less than QUEUE_STUCK_AFTER seconds (so the workers are
    keeping up). 200, or 503 naming the check that failed; never a traceback or a setting."""
    checks = {"database": "ok", "queue": "ok"}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # LOCAL: the timeout ends with this transaction and never reaches a page's queries.
                    cursor.execute("SET LOCAL statement_timeout = %s", [READINESS_DATABASE_TIMEOUT_MS])
                cursor.execute("SELECT 1")
            if oldest_queued_job_is_stuck():
                checks["queue"] = f"a job has waited more than {settings.QUEUE_STUCK_AFTER} seconds"
    except DatabaseError as error:
        logger.warning("Readiness check: the database did not answer: %s", error.__class__.__name__)
        checks = {"database": "not answering", "queue": "not checked"}
    ready = all(outcome == "ok" for outcome in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def oldest_queued_job_is_stuck():
    """Whether a job that could run has been waiting longer than QUEUE_STUCK_AFTER seconds.

    A job deferred to run later (run_after) waits from then, not from when it was queued; a job
    that is not deferred has run_after set to django-tasks-db's far-future marker.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.QUEUE_STUCK_AFTER)
    return (
        DBTaskResult.objects.ready()
        .filter(enqueued_at__lt=cutoff)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lt=cutoff))
        .exists()
    )
