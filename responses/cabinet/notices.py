"""Telling people about a council's Cabinet reports by email: its LSCB chairs hear when one is issued.

Sent once the issue has committed (services.issue_report arranges it), so an issue that rolls back
mails no one, and a mail that fails is logged and undoes nothing: the report stays issued.
"""

import logging

from django.contrib.auth import get_user_model

from authorities import mail
from authorities.models import CabinetReport, Membership

logger = logging.getLogger(__name__)


def chairs_of(authority_id):
    """The council's LSCB chairs who can be mailed: active, with an address."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, memberships__role=Membership.Role.CHAIR, memberships__authority_id=authority_id
        )
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


def tell_chairs_report_issued(report_id: int) -> int:
    """Mail each of the council's chairs that the report has been issued: its title, meeting and a link
    to it. One mail each, so no chair sees another's address; a failure is logged and the rest are
    still sent. How many were sent."""
    report = CabinetReport.objects.without_pdf().select_related("authority", "meeting").get(pk=report_id)
    sent = 0
    for chair in chairs_of(report.authority_id):
        try:
            mail.send(
                to=chair.email,
                subject=f"Cabinet report issued: {report.title}",
                template="report_issued",
                context={"report": report, "report_url": mail.absolute(report.get_absolute_url())},
            )
        except Exception:
            logger.exception("Telling %s that Cabinet report %s was issued failed", chair.username, report.pk)
        else:
            sent += 1
    return sent
