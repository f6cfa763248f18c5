"""Browser tests: Debian's Chromium against pytest-django's live server on PostgreSQL.

The live server answers from its own thread and database connection, so these tests commit for real
(live_server makes each test transactional) and, like tests/test_concurrency.py, load the reference
data themselves: the flush after each test empties every table. To keep that to a few flushes, a
test walks many pages (tests/browser/pages.py) in one browser profile rather than one test a page.
Signing in sets the session cookie that Django's test client makes with force_login: no password is
typed, and none is hashed.
"""

import csv
import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from authorities import pdf, people
from authorities.models import Authority, Invitation, Meeting, Membership
from fixtures.reference.keys import STOCKTON_CABINET_MEETING
from responses.cabinet import services as cabinet
from responses.models import LocalResponse, Marking, Status
from responses.reminders import unsubscribe_token
from responses.services import attach_evidence, check_spreadsheet, request_assurance

from ..conftest import load_reference_data_if_flushed, make_user
from ..helpers import MINIMAL_PDF
from ..test_reports import pdf_naming_its_html
from .chromium import Chromium
from .pages import ADMINISTRATOR, CHAIR, CLERK, COUNCIL_ADMINISTRATOR, OFFICER, SIGNED_OUT


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the test process (each pytest-xdist worker has its own)."""
    browser = Chromium()
    yield browser
    browser.close()


@dataclass
class World:
    """The records the walk's pages show, made for each test (the flush after it removes them)."""

    users: dict
    draft_report: int
    issued_report: int
    darlington_april_cabinet: int
    stockton_cabinet: int
    person: int
    invitation_token: str
    unsubscribe_token: str
    spreadsheet_import: int
    evidence_document: int
    assurance_response: int

    def ids(self):
        return {name: value for name, value in vars(self).items() if name != "users"}


def session_cookie(user):
    """The session cookie of `user` signed in, as the browser would hold it after signing in."""
    client = Client()
    client.force_login(user)
    morsel = client.cookies[settings.SESSION_COOKIE_NAME]
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": morsel.value,
        "httpOnly": settings.SESSION_COOKIE_HTTPONLY,
        "secure": settings.SESSION_COOKIE_SECURE,
        "sameSite": settings.SESSION_COOKIE_SAMESITE,
    }


def changed_csv(officer, slug, number, status_label, note):
    """The council's own export (CSV) with one recommendation's status changed and a progress note, as an
    officer edits it."""
    client = Client()
    client.force_login(officer)
    exported = client.get(f"/authorities/{slug}/responses.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    headings = rows[0]
    for row in rows[1:]:
        if row[headings.index("Recommendation key")] == str(number):
            row[headings.index("Status")] = status_label
            row[headings.index("Progress note")] = note
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def personas(live_server):
    """The reference data, and one user of each kind: Darlington's officer, chair, clerk and council
    administrator, and an administrator."""
    load_reference_data_if_flushed()
    darlington = Authority.objects.get(slug="darlington")
    return {
        OFFICER: make_user("officer.browser-darlington", darlington, Membership.Role.OFFICER),
        CHAIR: make_user("chair.browser-darlington", darlington, Membership.Role.CHAIR),
        CLERK: make_user("clerk.browser-darlington", darlington, Membership.Role.CLERK),
        COUNCIL_ADMINISTRATOR: make_user(
            "admin.browser-darlington", darlington, Membership.Role.COUNCIL_ADMINISTRATOR
        ),
        ADMINISTRATOR: make_user(
            "admin.browser", None, Membership.Role.ADMINISTRATOR, is_staff=True, is_superuser=True
        ),
    }


@pytest.fixture
def world(personas, monkeypatch):
    users = personas
    darlington = Authority.objects.get(slug="darlington")
    clerk = users[CLERK]
    april = Meeting.objects.get(authority=darlington, date="2009-04-28")
    draft = cabinet.create_report(
        authority=darlington, by=clerk, title="Laming: progress in Darlington", meeting=april
    )
    to_issue = cabinet.create_report(
        authority=darlington,
        by=clerk,
        title="Laming: progress in Darlington, July",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=timezone.localdate(),
    )
    # An issued report needs *a* PDF here, not WeasyPrint's pages (seconds): tests/test_reports.py.
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    issued = cabinet.issue_report(report=to_issue, by=clerk, expected_version=to_issue.version)
    monkeypatch.undo()
    token, token_hash = people.new_token()
    Invitation.objects.create(
        authority=darlington,
        email="new.officer@example.org",
        roles=["officer"],
        token_hash=token_hash,
        invited_by=users[COUNCIL_ADMINISTRATOR],
        expires_at=timezone.now() + people.invitation_lifetime(),
    )
    upload = check_spreadsheet(
        authority=darlington,
        by=users[OFFICER],
        file_name="darlington-laming-responses.csv",
        content=changed_csv(users[OFFICER], "darlington", 51, "Complete", "Both chairs appointed."),
    )
    # Darlington's response to 51, complete, with a document, waiting for its chair's assurance.
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    LocalResponse.objects.filter(pk=response.pk).update(status=Status.COMPLETE)
    document = attach_evidence(
        response=response,
        by=users[OFFICER],
        upload=SimpleUploadedFile("register.pdf", MINIMAL_PDF),
        title="Safeguarding training register",
        marking=Marking.OFFICIAL,
    )
    request_assurance(response=response, by=users[OFFICER], statement="Every social worker was trained.")
    return World(
        users=users,
        draft_report=draft.pk,
        issued_report=issued.pk,
        darlington_april_cabinet=april.pk,
        stockton_cabinet=STOCKTON_CABINET_MEETING,
        person=users[OFFICER].pk,
        invitation_token=token,
        unsubscribe_token=unsubscribe_token(users[CHAIR]),
        spreadsheet_import=upload.pk,
        evidence_document=document.pk,
        assurance_response=response.pk,
    )


@pytest.fixture
def signed_in(personas):
    """signed_in(persona): the session cookie for the persona, or None signed out."""
    return lambda persona: None if persona == SIGNED_OUT else session_cookie(personas[persona])
