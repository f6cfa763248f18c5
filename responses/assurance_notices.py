"""Telling people about assurance by email: the council's chairs hear that a response waits for them, the
officer who asked hears the decision.

Sent once the step has committed (the services arrange it), so a step that rolls back mails no one, and a
mail that fails is logged and undoes nothing. A mail names the recommendation and links the page; it never
names an evidence document, its title or its file (OFFICIAL-SENSITIVE ones must never leave the service),
only how many there are.
"""

import logging

from django.urls import reverse

from authorities import mail

from .cabinet.notices import chairs_of
from .models import AssuranceStep

logger = logging.getLogger(__name__)


def _step(step_id):
    return AssuranceStep.objects.select_related(
        "response__authority", "response__recommendation", "response__part", "by"
    ).get(pk=step_id)


def decision_url(response):
    return mail.absolute(
        reverse("authorities:assurance_decision", args=[response.authority.slug, response.pk])
    )


def tell_chairs_assurance_requested(step_id: int) -> int:
    """Mail each of the council's chairs, but the one who asked, that a response waits for their
    assurance. How many were sent."""
    step = _step(step_id)
    response = step.response
    documents = response.documents.current().count()
    sent = 0
    for chair in chairs_of(response.authority_id).exclude(pk=step.by_id):
        try:
            mail.send(
                to=chair.email,
                subject=f"Assurance requested: {response.authority.short_name}, {response.numbered_title}",
                template="assurance_requested",
                context={
                    "step": step,
                    "response": response,
                    "documents": documents,
                    "decision_url": decision_url(response),
                },
            )
        except Exception:
            logger.exception(
                "Telling %s that assurance was requested (step %s) failed", chair.username, step.pk
            )
        else:
            sent += 1
    return sent


def tell_requester_decided(step_id: int) -> int:
    """Mail the officer who asked for assurance what the chair decided. How many were sent (0 or 1)."""
    step = _step(step_id)
    response = step.response
    request = (
        response.assurance_steps.requests()
        .filter(created_at__lte=step.created_at)
        .select_related("by")
        .first()
    )
    officer = request.by if request else None
    if officer is None or not officer.is_active or not officer.email:
        return 0
    try:
        mail.send(
            to=officer.email,
            subject=f"{step.get_kind_display()}: {response.authority.short_name}, {response.numbered_title}",
            template="assurance_decided",
            context={
                "step": step,
                "response": response,
                "response_url": mail.absolute(response.get_absolute_url()),
            },
        )
    except Exception:
        logger.exception("Telling %s of the assurance decision (step %s) failed", officer.username, step.pk)
        return 0
    return 1
