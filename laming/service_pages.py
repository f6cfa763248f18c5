"""The pages about the service itself, linked from every page's footer: the accessibility statement, the
privacy notice, cookies and help. Anyone may read them, signed in or not: someone who cannot sign in
needs the help page and the statement most.

What they say about cookies, sessions and sign-in limits is read from the settings, so the pages change
when the settings do.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import render
from django.views.decorators.http import require_safe

from authorities.models import Membership
from responses.models import DUE_WITHIN, STALE_AFTER, Rag, Status, rag_tag_class, status_tag_class

# What each delivery status means, for the help page (DOMAIN.md, "Status vocabulary"). Every status
# must have a line here: tests/test_service_pages.py checks the help page names each one.
STATUS_MEANINGS = {
    Status.NOT_STARTED: "The council has not begun work on it.",
    Status.IN_PROGRESS: "Work has begun and is not finished.",
    Status.COMPLETE: "The council has done what the recommendation asks.",
    Status.ONGOING: "Done, and now part of everyday practice that carries on.",
    Status.AWAITING_NATIONAL: "The next step is the Government's or a national body's, for example guidance "
    "that has not been published yet.",
    Status.PARTNER_AGENCY: "Another organisation is responsible for it, for example Ofsted or the police.",
    Status.NOT_APPLICABLE: "The recommendation asks nothing of the council.",
}
RAG_MEANINGS = {
    Rag.RED: "Significant risk, or off track.",
    Rag.AMBER: "Issues or risks have been identified.",
    Rag.GREEN: "On track.",
    Rag.NOT_RATED: "The council has not given a rating.",
}
ROLE_MEANINGS = {
    Membership.Role.OFFICER: "Keeps the council's responses up to date, and can prepare its Cabinet reports.",
    Membership.Role.CHAIR: "Reads the council's records, and is emailed when a Cabinet report is issued.",
    Membership.Role.CLERK: "Prepares and issues Cabinet reports, and records meetings' decisions.",
    Membership.Role.COUNCIL_ADMINISTRATOR: "Decides who can use the service for the council, and as what.",
    Membership.Role.ADMINISTRATOR: "Manages every council and its people, and can do what any role can.",
}


def in_words(seconds: int) -> str:
    """A length of time as the pages say it: "8 hours", "52 weeks", "3 days", "15 minutes"."""
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def either_of(words):
    """["a", "b", "c"] -> "a, b or c"."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def service_context():
    """Who runs the service and how to reach them (settings SERVICE_OWNER, SERVICE_CONTACT_EMAIL)."""
    return {
        "owner": settings.SERVICE_OWNER,
        "contact_email": settings.SERVICE_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
    }


def sign_in_limits():
    """How sign-in behaves, from the settings: the help page and the privacy notice say it."""
    return {
        "session_length": in_words(settings.SESSION_COOKIE_AGE),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off": in_words(int(settings.AXES_COOLOFF_TIME.total_seconds())),
        "link_lifetime": in_words(settings.PASSWORD_RESET_TIMEOUT),
    }


def essential_cookies():
    """The cookies the service sets: each one's name, what it is for, and when it expires."""
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_expires = (
            f"When you close your browser, or {in_words(settings.SESSION_COOKIE_AGE)} after you sign in "
            "if that is sooner"
        )
    else:
        session_expires = f"{in_words(settings.SESSION_COOKIE_AGE)} after you sign in"
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": "Keeps you signed in as you move from page to page",
            "expires": session_expires,
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": "Makes sure that the forms you send come from this service and not another website",
            "expires": "When you close your browser"
            if settings.CSRF_COOKIE_AGE is None
            else in_words(settings.CSRF_COOKIE_AGE),
        },
        {
            # Django's messages framework keeps a message for the next page in this cookie (its default
            # storage tries the cookie first), for example "You have been signed out".
            "name": CookieStorage.cookie_name,
            "purpose": "Shows you a message on the next page, for example that you have been signed out",
            "expires": "As soon as the message has been shown, or when you close your browser",
        },
    ]


# The pages. Open to everyone, GET and HEAD only.


@login_not_required
@require_safe
def accessibility(request):
    """The accessibility statement, in the GOV.UK model statement's order."""
    return render(request, "service/accessibility.html", service_context())


@login_not_required
@require_safe
def privacy(request):
    """The privacy notice: what personal data the service holds, why, who sees it and for how long."""
    return render(request, "service/privacy.html", {**service_context(), **sign_in_limits()})


@login_not_required
@require_safe
def cookies(request):
    """The cookies the service sets: essential ones only, so there is no banner asking for consent."""
    return render(request, "service/cookies.html", {**service_context(), "cookies": essential_cookies()})


@login_not_required
@require_safe
def help_page(request):
    """Help: signing in, passwords, updating a response, what the statuses and RAG mean, who to contact."""
    context = {
        **service_context(),
        **sign_in_limits(),
        "statuses": [(status, status_tag_class(status), STATUS_MEANINGS[status]) for status in Status],
        "settled": either_of([status.label for status in Status.settled()]),
        "rags": [
            (rag, rag_tag_class(rag), RAG_MEANINGS[rag])
            for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_RATED)
        ],
        "roles": [(role, ROLE_MEANINGS[role]) for role in Membership.Role],
        "stale_days": STALE_AFTER.days,
        "due_within_days": DUE_WITHIN.days,
    }
    return render(request, "service/help.html", context)
