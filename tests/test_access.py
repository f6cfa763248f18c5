"""Who may open which page: every URL pattern, walked with every persona.

Every signed-in user may read every council's pages (they go to public Cabinet papers); only the
council's officers and administrators may open or post its edit pages; nobody signed out gets
further than the sign-in page. A new URL pattern without an entry in DECISIONS fails this file.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from authorities import people
from authorities.models import Authority, CabinetReport, Invitation, Meeting, Membership
from fixtures.reference.keys import STOCKTON_CABINET_MEETING
from responses.exports import TEMPLATE_COLUMNS
from responses.models import LocalResponse, Marking, ProgressUpdate, SpreadsheetImport, Status
from responses.reminders import unsubscribe_token
from responses.services import attach_evidence, request_assurance

from .conftest import make_user
from .helpers import MINIMAL_PDF, visible_text

ANONYMOUS = "anonymous"
PERSONAS = (
    ANONYMOUS,
    "outsider",
    "officer_darlington",
    "officer_newcastle",
    "chair_darlington",
    "clerk_darlington",
    "council_admin_darlington",
    "administrator",
    "administrator_not_superuser",
)
# An administrator is one by membership: being a superuser must not be what lets them in.
ADMINISTRATORS = ("administrator", "administrator_not_superuser")
NOT_DARLINGTON_EDITORS = (
    "officer_newcastle",
    "chair_darlington",
    "clerk_darlington",
    "council_admin_darlington",
    "outsider",
)

LOGIN = "login"  # 302 to the sign-in page, with ?next= the page that was asked for
ADMIN_LOGIN = "admin login"  # 302 to the admin's own sign-in page


def for_everyone(outcome):
    return dict.fromkeys(PERSONAS, outcome)


def for_signed_in_users(outcome=200):
    return {**for_everyone(outcome), ANONYMOUS: LOGIN}


def for_administrators():
    return {**for_signed_in_users(403), **dict.fromkeys(ADMINISTRATORS, 200)}


def for_darlington_editors():
    return {**for_signed_in_users(403), "officer_darlington": 200, **dict.fromkeys(ADMINISTRATORS, 200)}


def for_darlington_assurance():
    """Darlington's chairs decide on its assurance; its officers and administrators may read the page."""
    return {**for_darlington_editors(), "chair_darlington": 200}


def for_darlington_paper_preparers(allowed=200):
    """Darlington's clerks and officers, and administrators, prepare its reports and decision records."""
    return {
        **for_signed_in_users(403),
        "officer_darlington": allowed,
        "clerk_darlington": allowed,
        **dict.fromkeys(ADMINISTRATORS, allowed),
    }


def for_darlington_people_managers(allowed=200):
    """Darlington's council administrators, and administrators, manage its people; nobody else sees them,
    another council's administrator included (tests/test_people.py)."""
    return {
        **for_signed_in_users(403),
        "council_admin_darlington": allowed,
        **dict.fromkeys(ADMINISTRATORS, allowed),
    }


def a_darlington_person():
    """URL kwargs of one of Darlington's people, made for the walk."""
    user = make_user("walk.darlington", Authority.objects.get(slug="darlington"), Membership.Role.OFFICER)
    return {"slug": "darlington", "user_id": user.pk}


def waiting_invitation():
    """A waiting invitation to Darlington, and the token its link carries."""
    token, token_hash = people.new_token()
    invitation = Invitation.objects.create(
        authority=Authority.objects.get(slug="darlington"),
        email="invited.walk@example.org",
        roles=["officer"],
        token_hash=token_hash,
        invited_by=make_user("inviter.walk"),
        expires_at=timezone.now() + people.invitation_lifetime(),
    )
    return invitation, token


def a_darlington_invitation():
    return {"slug": "darlington", "pk": waiting_invitation()[0].pk}


def an_invitation_link():
    return {"token": waiting_invitation()[1]}


# A PDF is rendered by the background worker: the first request queues it and answers 202 Accepted.
PREPARING = 202


def a_darlington_draft_report():
    """URL kwargs of a draft Cabinet report made for the walk: drafts are for their preparers only.
    (Everyone signed in may read an issued report: tests/test_reports.py.)"""
    meeting = Meeting.objects.get(authority__slug="darlington", date="2009-04-28")
    report = CabinetReport.objects.create(authority=meeting.authority, meeting=meeting, title="Walk")
    return {"slug": "darlington", "pk": report.pk}


def darlingtons_april_cabinet():
    """URL kwargs of Darlington's Cabinet of 28 April 2009, which has no decision record yet."""
    meeting = Meeting.objects.get(authority__slug="darlington", date="2009-04-28")
    return {"slug": "darlington", "pk": meeting.pk}


def an_unsubscribe_link():
    """URL kwargs of the link to stop reminders in a digest to a user made for the walk."""
    return {"token": unsubscribe_token(get_user_model().objects.create_user("walk.reminders"))}


def a_darlington_spreadsheet_import():
    """URL kwargs of a spreadsheet upload to Darlington made for the walk: a CSV of the headings alone."""
    upload = SpreadsheetImport.objects.create(
        authority=Authority.objects.get(slug="darlington"),
        by=get_user_model().objects.create_user("walk.import"),
        file_name="walk.csv",
        sha256="0" * 64,
        content=(",".join(TEMPLATE_COLUMNS) + "\n").encode(),
    )
    return {"slug": "darlington", "pk": upload.pk}


def a_darlington_document(marking=Marking.OFFICIAL):
    """A document attached to Darlington's response to recommendation 51, for the walk."""
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)
    upload = SimpleUploadedFile("walk.pdf", MINIMAL_PDF)
    document = attach_evidence(
        response=response, by=make_user("walk.evidence"), upload=upload, title="Walk", marking=marking
    )
    return {"slug": "darlington", "pk": document.pk}


def a_darlington_sensitive_document():
    return a_darlington_document(Marking.OFFICIAL_SENSITIVE)


def a_darlington_response_awaiting_assurance():
    """Darlington's response to recommendation 51, complete, with a document, assurance asked for."""
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)
    LocalResponse.objects.filter(pk=response.pk).update(status=Status.COMPLETE)
    a_darlington_document()
    request_assurance(response=response, by=make_user("walk.asker"), statement="Done.")
    return {"slug": "darlington", "response_pk": response.pk}


# Route name: (sample URL kwargs, expected GET outcome for each persona).
DECISIONS = {
    "home": ({}, for_signed_in_users()),
    # Django's sign-in page. A signed-in user may open it too, to sign in as someone else.
    "login": ({}, for_everyone(200)),
    # Sign-out is POST only. A GET (an old link, a prefetch) signs nobody out and is answered 405,
    # signed in or not: SignOutView is exempt from LoginRequiredMiddleware.
    "logout": ({}, for_everyone(405)),
    # "Forgotten your password?": open to everyone, signed in or not (a made-up link is answered with
    # the page saying it has expired or been used, 200). Changing a password needs signing in.
    "password_reset": ({}, for_everyone(200)),
    "password_reset_done": ({}, for_everyone(200)),
    "password_reset_confirm": ({"uidb64": "MQ", "token": "made-up-token"}, for_everyone(200)),
    "password_reset_complete": ({}, for_everyone(200)),
    "password_change": ({}, for_signed_in_users()),
    "password_change_done": ({}, for_signed_in_users()),
    # Everyone signed in has their own account page, and sees only their own.
    "account": ({}, for_signed_in_users()),
    # Health checks for the load balancer and monitoring: open to everyone, and say nothing private.
    "healthz": ({}, for_everyone(200)),
    "readyz": ({}, for_everyone(200)),
    # About the service, linked from every footer: open to everyone, signed in or not
    # (tests/test_service_pages.py).
    "help": ({}, for_everyone(200)),
    "accessibility": ({}, for_everyone(200)),
    "privacy": ({}, for_everyone(200)),
    "cookies": ({}, for_everyone(200)),
    # The link in a reminder digest: the signed token is the authority, so it opens without signing in.
    # Opening it only asks; its button (a POST) stops the digests (tests/test_reminders.py).
    "reminders_unsubscribe": (an_unsubscribe_link, for_everyone(200)),
    "recommendations:list": ({}, for_signed_in_users()),
    "recommendations:detail": ({"number": 51}, for_signed_in_users()),
    "recommendations:commitments": ({}, for_signed_in_users()),
    "authorities:list": ({}, for_signed_in_users()),
    # Any English council can join: administrators add councils, one on a page or many from a
    # spreadsheet (tests/test_councils_join.py); the confirm is POST only.
    "authorities:new": ({}, for_administrators()),
    "authorities:upload": ({}, for_administrators()),
    "authorities:upload_confirm": ({}, for_signed_in_users(405)),
    "authorities:upload_template": ({"fmt": "xlsx"}, for_administrators()),
    "authorities:detail": ({"slug": "darlington"}, for_signed_in_users()),
    "responses:detail": ({"slug": "darlington", "number": 51}, for_signed_in_users()),
    "responses:edit": ({"slug": "darlington", "number": 51}, for_darlington_editors()),
    # Recommendation 2 has parts (a) to (j); Darlington has not answered it, so this is a first answer.
    "responses:edit_part": ({"slug": "darlington", "number": 2, "letter": "a"}, for_darlington_editors()),
    # Dashboards, lists and exports: everyone signed in reads every council's records.
    "responses:comparison": ({}, for_signed_in_users()),
    "responses:list": ({}, for_signed_in_users()),
    "responses:export": ({"fmt": "csv"}, for_signed_in_users()),
    "responses:council_export": ({"slug": "darlington", "fmt": "xlsx"}, for_signed_in_users()),
    # Assurance (tests/test_assurance.py): officers attach evidence and ask; the council's chairs decide,
    # and its officers and administrators may read their page; OFFICIAL-SENSITIVE documents only for the
    # council's own people and administrators.
    "responses:evidence_new": ({"slug": "darlington", "number": 51}, for_darlington_editors()),
    "responses:evidence_new_part": (
        {"slug": "central-bedfordshire", "number": 2, "letter": "a"},
        {**for_signed_in_users(403), **dict.fromkeys(ADMINISTRATORS, 200)},
    ),
    "responses:assurance_request": ({"slug": "darlington", "number": 51}, for_darlington_editors()),
    "responses:assurance_request_part": (
        {"slug": "central-bedfordshire", "number": 2, "letter": "a"},
        {**for_signed_in_users(403), **dict.fromkeys(ADMINISTRATORS, 200)},
    ),
    "authorities:evidence": (a_darlington_document, for_signed_in_users()),
    "authorities:evidence_withdraw": (a_darlington_document, for_darlington_editors()),
    "authorities:assurance": ({"slug": "darlington"}, for_darlington_assurance()),
    "authorities:assurance_decision": (a_darlington_response_awaiting_assurance, for_darlington_assurance()),
    # Committee papers. A callable gives URL kwargs for a record the walk makes first.
    "authorities:reports": ({"slug": "darlington"}, for_signed_in_users()),
    "authorities:report_new": ({"slug": "darlington"}, for_darlington_paper_preparers()),
    "authorities:report": (a_darlington_draft_report, for_darlington_paper_preparers()),
    "authorities:report_edit": (a_darlington_draft_report, for_darlington_paper_preparers()),
    "authorities:report_preview": (a_darlington_draft_report, for_darlington_paper_preparers()),
    "authorities:report_pdf": (a_darlington_draft_report, for_darlington_paper_preparers(PREPARING)),
    # A Word version is written in the request (well under a second), so it answers 200 at once.
    "authorities:report_docx": (a_darlington_draft_report, for_darlington_paper_preparers()),
    # Issuing is POST only (posts are tested in tests/test_reports.py).
    "authorities:report_issue": (a_darlington_draft_report, for_signed_in_users(405)),
    "authorities:cabinet_report_pdf": ({"slug": "darlington"}, for_darlington_paper_preparers(PREPARING)),
    "authorities:cabinet_report_docx": ({"slug": "darlington"}, for_darlington_paper_preparers()),
    "authorities:decision": (
        {"slug": "stockton-on-tees", "pk": STOCKTON_CABINET_MEETING},
        for_signed_in_users(),
    ),
    "authorities:decision_pdf": (
        {"slug": "stockton-on-tees", "pk": STOCKTON_CABINET_MEETING},
        for_signed_in_users(PREPARING),
    ),
    "authorities:decision_record": (darlingtons_april_cabinet, for_darlington_paper_preparers()),
    # A council's people: its council administrators, and administrators (tests/test_people.py).
    "authorities:people": ({"slug": "darlington"}, for_darlington_people_managers()),
    "authorities:people_invite": ({"slug": "darlington"}, for_darlington_people_managers()),
    "authorities:person": (a_darlington_person, for_darlington_people_managers()),
    # POST only: the posts are tested in tests/test_people.py.
    "authorities:person_deactivate": (a_darlington_person, for_signed_in_users(405)),
    "authorities:person_reactivate": (a_darlington_person, for_signed_in_users(405)),
    "authorities:invitation_withdraw": (a_darlington_invitation, for_signed_in_users(405)),
    "authorities:invitation_send_again": (a_darlington_invitation, for_signed_in_users(405)),
    # The link in an invitation: open without signing in (signed in as someone else, the page says the
    # invitation is for another address). Opening it changes nothing.
    "authorities:invitation": (an_invitation_link, for_everyone(200)),
    # Updating from a spreadsheet: the council's officers and administrators, as for its edit pages. An
    # upload's preview shows changes not yet saved, so it is theirs too; confirming and discarding are
    # POST only (tests/test_spreadsheet_import.py), and only by the officer who uploaded the file.
    "authorities:import": ({"slug": "darlington"}, for_darlington_editors()),
    "authorities:import_detail": (a_darlington_spreadsheet_import, for_darlington_editors()),
    "authorities:import_confirm": (a_darlington_spreadsheet_import, for_signed_in_users(405)),
    "authorities:import_discard": (a_darlington_spreadsheet_import, for_signed_in_users(405)),
}

# The admin is decided as a group: Django's admin_view guards every one of its pages the same way.
# It lets in staff; what each may do there is Django's permissions, not the app's roles (below).
ADMIN_INDEX_DECISION = {**for_everyone(ADMIN_LOGIN), **dict.fromkeys(ADMINISTRATORS, 200)}


def route_names(patterns=None, namespace=""):
    """Fully-qualified names of every URL pattern; an unnamed pattern is listed by its route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def non_admin_route_names():
    return {name for name in route_names() if not name.startswith("admin:")}


def sign_in_as(client, request, persona):
    if persona != ANONYMOUS:
        client.force_login(request.getfixturevalue(persona))
    return client


def assert_outcome(response, expected, url):
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?{urlencode({'next': url}, safe='/')}"
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?{urlencode({'next': url}, safe='/')}"
    else:
        assert response.status_code == expected


def everything():
    """Every response row as it stands, and the length of the audit trail."""
    return list(LocalResponse.objects.order_by("pk").values()), ProgressUpdate.objects.count()


# The walk


def test_every_url_pattern_has_an_access_decision():
    found = non_admin_route_names()
    undecided = sorted(found - DECISIONS.keys())
    gone = sorted(DECISIONS.keys() - found)
    assert not undecided, f"No access decision for {undecided}: add each to DECISIONS in tests/test_access.py"
    assert not gone, f"DECISIONS names routes that no longer exist: {gone}"


def test_the_walk_finds_the_admin_and_every_app():
    names = set(route_names())
    assert "admin:index" in names
    assert {name.split(":")[0] for name in names if ":" in name} >= {
        "admin",
        "recommendations",
        "authorities",
        "responses",
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(non_admin_route_names() | DECISIONS.keys()))
def test_each_persona_gets_the_decided_answer_from_every_page(db, client, request, route, persona):
    assert route in DECISIONS, f"No access decision for {route}: add it to DECISIONS in tests/test_access.py"
    kwargs, outcomes = DECISIONS[route]
    assert outcomes.keys() == set(PERSONAS), f"DECISIONS[{route!r}] must name every persona"
    url = reverse(route, kwargs=kwargs() if callable(kwargs) else kwargs)
    response = sign_in_as(client, request, persona).get(url)
    assert_outcome(response, outcomes[persona], url)
    # Provenance is cited by document and place ("Darlington Borough Council, Cabinet report, ..."),
    # never by a seed's file name, on every page and in every download anyone opens.
    if response.status_code == 200 and not getattr(response, "streaming", False):
        assert b".txt" not in response.content, f"a file name on {url}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_get_into_the_admin(db, client, request, persona):
    url = reverse("admin:index")
    response = sign_in_as(client, request, persona).get(url)
    assert_outcome(response, ADMIN_INDEX_DECISION[persona], url)


def test_an_administrator_who_is_not_a_superuser_has_only_the_admin_permissions_given_them(
    client, administrator, administrator_not_superuser
):
    """The administrator role is the app's: it opens every council's pages (the walk above). The admin
    site keeps Django's own permission model, so managing users and reference data there needs a
    superuser, or permissions given in the admin; the role alone shows an empty admin."""
    users = reverse("admin:auth_user_changelist")
    client.force_login(administrator_not_superuser)
    assert "have permission to view or edit anything" in visible_text(client.get(reverse("admin:index")))
    assert client.get(users).status_code == 403
    home = visible_text(client.get(reverse("home")))
    assert "As an administrator you can update any council's responses from its pages." in home
    assert "manage users" not in home
    client.force_login(administrator)
    assert client.get(users).status_code == 200
    assert "and manage users, councils and reference data in administration ." in visible_text(
        client.get(reverse("home"))
    )


# Unknown councils, recommendations and parts

SIGNED_IN = PERSONAS[1:]
EDITORS = ("officer_darlington", *ADMINISTRATORS)


@pytest.mark.parametrize("persona", SIGNED_IN)
@pytest.mark.parametrize(
    "route, kwargs",
    [
        ("authorities:detail", {"slug": "nowhere"}),
        ("recommendations:detail", {"number": 59}),
        ("recommendations:detail", {"number": 0}),
        ("responses:detail", {"slug": "nowhere", "number": 51}),
        ("responses:detail", {"slug": "darlington", "number": 59}),
        # No council to check the user against, so everybody is told there is no such page.
        ("responses:edit", {"slug": "nowhere", "number": 51}),
        ("responses:edit_part", {"slug": "nowhere", "number": 2, "letter": "a"}),
        ("authorities:import", {"slug": "nowhere"}),
        ("authorities:import_detail", {"slug": "nowhere", "pk": 1}),
    ],
)
def test_an_unknown_council_or_recommendation_is_not_found(db, client, request, persona, route, kwargs):
    assert sign_in_as(client, request, persona).get(reverse(route, kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("persona", SIGNED_IN)
@pytest.mark.parametrize(
    "route, kwargs",
    [
        ("responses:edit", {"slug": "darlington", "number": 59}),
        ("responses:edit_part", {"slug": "darlington", "number": 59, "letter": "a"}),
        ("responses:edit_part", {"slug": "darlington", "number": 2, "letter": "z"}),
        ("responses:edit_part", {"slug": "darlington", "number": 51, "letter": "a"}),  # 51 has no parts
    ],
)
def test_an_unknown_recommendation_or_part_on_an_edit_page_is_not_found_by_those_who_may_edit(
    db, client, request, persona, route, kwargs
):
    # The council is checked first: someone who may not edit Darlington is refused whatever follows.
    expected = 404 if persona in EDITORS else 403
    assert sign_in_as(client, request, persona).get(reverse(route, kwargs=kwargs)).status_code == expected


@pytest.mark.parametrize("route", ["responses:edit", "responses:edit_part"])
def test_a_signed_out_visitor_asking_for_an_unknown_page_is_sent_to_sign_in(db, client, route):
    kwargs = {"slug": "nowhere", "number": 59}
    if route == "responses:edit_part":
        kwargs["letter"] = "z"
    url = reverse(route, kwargs=kwargs)
    assert_outcome(client.get(url), LOGIN, url)


# Posting to the edit pages

EDIT_PAGES = {
    "recommendation 51": ("responses:edit", {"slug": "darlington", "number": 51}),
    "part 2(a)": ("responses:edit_part", {"slug": "darlington", "number": 2, "letter": "a"}),
}


def valid_post(route, kwargs):
    """A body the edit form accepts: the response's current version, or 0 for a first answer."""
    current = LocalResponse.objects.filter(
        authority__slug=kwargs["slug"],
        recommendation__number=kwargs["number"],
        part__letter=kwargs.get("letter"),
    ).first()
    return {
        "text": "Board membership reviewed; lay members appointed.",
        "status": "in_progress",
        "rag": "amber",
        "lead_officer": "Jenni Cooke, Safeguarding Manager",
        # Darlington's response to 51 has no target date, so setting one needs no reason.
        "target_date_day": "31",
        "target_date_month": "3",
        "target_date_year": "2010",
        "target_date_reason": "",
        "evidence": "Board minutes, 12 May 2009.",
        "note": "Recorded after the Board meeting.",
        "version": str(current.version if current else 0),
    }


@pytest.mark.parametrize("page", EDIT_PAGES)
@pytest.mark.parametrize("persona", NOT_DARLINGTON_EDITORS)
def test_people_who_may_not_edit_darlington_are_refused_a_post_and_nothing_changes(
    db, client, request, persona, page
):
    route, kwargs = EDIT_PAGES[page]
    before = everything()
    response = sign_in_as(client, request, persona).post(
        reverse(route, kwargs=kwargs), valid_post(route, kwargs)
    )
    assert response.status_code == 403
    assert everything() == before


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_a_signed_out_post_is_sent_to_sign_in_and_nothing_changes(db, client, page):
    route, kwargs = EDIT_PAGES[page]
    url = reverse(route, kwargs=kwargs)
    before = everything()
    assert_outcome(client.post(url, valid_post(route, kwargs)), LOGIN, url)
    assert everything() == before


@pytest.mark.parametrize("page", EDIT_PAGES)
@pytest.mark.parametrize("persona", EDITORS)
def test_darlington_editors_can_post_the_same_body(db, client, request, persona, page):
    """The control for the refusals above: the body they post is one the form accepts."""
    route, kwargs = EDIT_PAGES[page]
    updates = ProgressUpdate.objects.count()
    response = sign_in_as(client, request, persona).post(
        reverse(route, kwargs=kwargs), valid_post(route, kwargs)
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.count() == updates + 1
    saved = LocalResponse.objects.get(
        authority__slug="darlington",
        recommendation__number=kwargs["number"],
        part__letter=kwargs.get("letter"),
    )
    assert saved.text == "Board membership reviewed; lay members appointed."
    assert saved.updated_by == request.getfixturevalue(persona)


# OFFICIAL-SENSITIVE evidence: the council's own people (any role there) and administrators only.
SEES_SENSITIVE = ("chair_darlington", "clerk_darlington", "council_admin_darlington", "officer_darlington")


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_an_official_sensitive_document_downloads_only_for_the_councils_own_people(
    db, client, request, persona
):
    url = reverse("authorities:evidence", kwargs=a_darlington_sensitive_document())
    expected = 200 if persona in SEES_SENSITIVE + ADMINISTRATORS else 403
    assert sign_in_as(client, request, persona).get(url).status_code == expected
