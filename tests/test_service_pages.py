"""The pages about the service (laming/service_pages.py): the accessibility statement, the privacy notice,
cookies and help. Anyone may read them, signed out too, and every page's footer links to them. What they
say about cookies and sign-in is read from the settings, so a test changes a setting and reads the page.
"""

import re

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from authorities.models import Membership
from responses.models import Rag, Status

from .helpers import visible_text

SERVICE_PAGES = {
    "help": "Help using Laming Tracker",
    "accessibility": "Accessibility statement for Laming Tracker",
    "privacy": "Privacy notice",
    "cookies": "Cookies",
}
FOOTER_LINKS = [
    ("/help/", "Help"),
    ("/accessibility/", "Accessibility statement"),
    ("/privacy/", "Privacy"),
    ("/cookies/", "Cookies"),
]


def assert_footer_links(content):
    footer = re.search(r'<footer class="govuk-footer">.*?</footer>', content, re.S).group(0)
    links = re.findall(r'<a class="govuk-footer__link" href="([^"]+)">([^<]+)</a>', footer)
    assert links == FOOTER_LINKS
    assertInHTML('<h2 class="govuk-visually-hidden">Support links</h2>', footer)


def cookie_rows(response):
    table = re.search(
        r'<table class="govuk-table" id="cookies-table">.*?</table>', response.content.decode(), re.S
    )
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table.group(0), re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", "", cell).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in rows[1:]
    ]


# Open to everyone


@pytest.mark.parametrize(("name", "title"), SERVICE_PAGES.items())
def test_each_service_page_opens_signed_out_with_its_heading(client, db, name, title):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode()).group(1) == title


@pytest.mark.parametrize("name", SERVICE_PAGES)
def test_each_service_page_opens_for_someone_signed_in_too(client, officer_darlington, name):
    client.force_login(officer_darlington)
    response = client.get(reverse(name))
    assert response.status_code == 200
    # Signed in, the page has the service's menu as every other page does.
    assert "Signed in as" in visible_text(response)


@pytest.mark.parametrize("name", SERVICE_PAGES)
def test_a_service_page_cannot_be_posted_to(client, db, name):
    assert client.post(reverse(name)).status_code == 405


# The footer


@pytest.mark.parametrize("name", ["login", "password_reset", *SERVICE_PAGES])
def test_the_footer_of_pages_anyone_can_open_links_to_the_service_pages(client, db, name):
    assert_footer_links(client.get(reverse(name)).content.decode())


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("responses:comparison"),
        reverse("authorities:detail", args=["darlington"]),
        reverse("responses:edit", args=["darlington", 51]),
        "/no-such-page/",
    ],
)
def test_the_footer_of_signed_in_pages_and_the_not_found_page_links_to_the_service_pages(
    client, officer_darlington, url
):
    client.force_login(officer_darlington)
    assert_footer_links(client.get(url).content.decode())


def test_the_server_error_page_links_to_the_service_pages_without_needing_the_database():
    """500.html is rendered with no context, so its links are plain paths: the same ones."""
    assert_footer_links(render_to_string("500.html"))


# Cookies


def test_the_cookies_page_lists_the_session_csrf_and_messages_cookies_by_their_real_names(client, db):
    rows = cookie_rows(client.get(reverse("cookies")))
    assert [row[0] for row in rows] == [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"]
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert settings.CSRF_COOKIE_NAME == "csrftoken"
    assert CookieStorage.cookie_name == "messages"


def test_the_cookies_page_gives_each_cookies_expiry_from_the_settings(client, db):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.CSRF_COOKIE_AGE == 52 * 7 * 24 * 60 * 60
    expiries = [row[2] for row in cookie_rows(client.get(reverse("cookies")))]
    assert expiries == [
        "When you close your browser, or 8 hours after you sign in if that is sooner",
        "52 weeks",
        "As soon as the message has been shown, or when you close your browser",
    ]


@override_settings(
    SESSION_COOKIE_NAME="laming_session",
    CSRF_COOKIE_NAME="laming_csrf",
    SESSION_COOKIE_AGE=4 * 60 * 60,
    SESSION_EXPIRE_AT_BROWSER_CLOSE=False,
    CSRF_COOKIE_AGE=None,
)
def test_the_cookies_page_follows_the_settings_when_they_change(client, db):
    rows = cookie_rows(client.get(reverse("cookies")))
    assert [(row[0], row[2]) for row in rows[:2]] == [
        ("laming_session", "4 hours after you sign in"),
        ("laming_csrf", "When you close your browser"),
    ]


def test_the_cookies_page_says_there_are_no_analytics_cookies_and_so_no_banner(client, db):
    text = visible_text(client.get(reverse("cookies")))
    assert "no analytics cookies, no advertising cookies and no cookies from other websites" in text
    assert "it does not ask for your permission to set them" in text
    assert "govuk-cookie-banner" not in client.get(reverse("home"), follow=True).content.decode()


def test_every_cookie_a_signed_in_visit_sets_is_on_the_cookies_page(client, officer_darlington):
    """Sign in, read pages, open a form, sign out: whatever cookies were set, the page names them all."""
    listed = {row[0] for row in cookie_rows(client.get(reverse("cookies")))}
    set_by_the_service = set()
    visit = [
        client.get(reverse("login")),
        client.post(
            reverse("login"), {"username": officer_darlington.username, "password": "correct-horse-battery"}
        ),
        client.get(reverse("home")),
        client.get(reverse("authorities:detail", args=["darlington"])),
        client.get(reverse("responses:edit", args=["darlington", 51])),
        client.get(reverse("account")),
        client.post(reverse("logout")),
        client.get(reverse("login")),
    ]
    for response in visit:
        set_by_the_service |= set(response.cookies)
    # The visit saw each kind: the session, the CSRF token, and "You have been signed out".
    assert set_by_the_service == {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "messages"}
    assert set_by_the_service <= listed


# Who runs the service, and how to reach them


@override_settings(
    SERVICE_OWNER="Darlington Borough Council", SERVICE_CONTACT_EMAIL="laming@darlington.gov.uk"
)
@pytest.mark.parametrize("name", ["accessibility", "privacy", "help"])
def test_the_pages_name_the_council_that_runs_the_service_and_its_contact_address(client, db, name):
    response = client.get(reverse(name))
    content = response.content.decode()
    assert 'href="mailto:laming@darlington.gov.uk?subject=' in content
    if name != "help":
        assert "run by Darlington Borough Council" in visible_text(response)


@override_settings(SERVICE_OWNER="", SERVICE_CONTACT_EMAIL="")
def test_without_a_contact_address_the_pages_send_people_to_their_councils_administrator(client, db):
    text = visible_text(client.get(reverse("accessibility")))
    assert "This service is run by the council that runs Laming Tracker." in text
    assert (
        "If you find any problems not listed on this page or think we are not meeting accessibility "
        "requirements, contact the administrator at your council, or the council that runs this service."
    ) in text
    assert "mailto:" not in client.get(reverse("accessibility")).content.decode()


# The accessibility statement


def test_the_accessibility_statement_has_the_model_statements_sections_in_order(client, db):
    content = client.get(reverse("accessibility")).content.decode()
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", content)]
    main = headings[: headings.index("Support links")]
    assert main == [
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "Compliance status",
        "Non-accessible content",
        "How we tested this service",
        "Preparation of this accessibility statement",
    ]


def test_the_accessibility_statement_says_how_the_service_is_tested(client, db):
    text = visible_text(client.get(reverse("accessibility")))
    assert "with axe-core, an automated accessibility checker, in the Chromium web browser" in text
    assert "Web Content Accessibility Guidelines 2.2 levels A and AA" in text
    assert "no page scrolls sideways at 320 CSS pixels wide" in text
    assert "update a response using only the keyboard" in text
    assert (
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
        in text
    )
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Commission for Northern Ireland" in text


def test_the_accessibility_statement_counts_the_page_states_the_browser_tests_walk(client, db):
    """The statement must stay true: its count is the browser tests' own (tests/browser/pages.py)."""
    from .browser.pages import PERSONAS, states_for

    walked = sum(len(states_for(persona)) for persona in PERSONAS)
    text = visible_text(client.get(reverse("accessibility")))
    assert (
        "The test was carried out by the service's development team, using the automated checks "
        f"described above: {walked:,} page states" in text
    )
    assert (
        "This service is partially compliant with the Web Content Accessibility Guidelines version 2.2 "
        "AA standard." in text
    )
    assert "[" not in text  # nothing left to fill in


# The privacy notice


def test_the_privacy_notice_names_the_personal_data_the_service_keeps(client, db):
    text = visible_text(client.get(reverse("privacy")))
    for kept in [
        "your name, username and email address",
        "your roles (for example council officer or LSCB chair) and the councils you hold them at",
        "when you last signed in",
        "the internet address (IP address) and web browser it came from, and the time; the password typed is "
        "never kept",
        "each update you save to a response, signed with your name and the date and time",
        "each invitation: the email address it was sent to",
        "the history of changes to the council's people",
        "when each one was sent to you",
    ]:
        assert kept in text, kept


def test_the_privacy_notice_says_how_long_failed_sign_ins_and_sessions_are_kept_from_the_settings(client, db):
    text = visible_text(client.get(reverse("privacy")))
    assert (
        "A failed sign-in is deleted 15 minutes after it happened, or as soon as you sign in successfully."
        in text
    )
    assert "or 8 hours after you signed in." in text
    assert "public task (Article 6(1)(e) of the UK General Data Protection Regulation)" in text
    assert "Information Commissioner's Office" in text


# Help


def test_help_explains_every_delivery_status_rag_rating_and_role(client, db):
    response = client.get(reverse("help"))
    text = visible_text(response)
    for label in [*Status.labels, *Rag.labels, *Membership.Role.labels]:
        assert label in text, label
    assertInHTML(
        '<strong class="govuk-tag govuk-tag--purple">Awaiting national guidance or action</strong>',
        response.content.decode(),
    )
    assert (
        "The target date has passed and the status is not Complete, Ongoing (embedded in practice) or Not "
        "applicable." in text
    )


def test_help_gives_the_sign_in_limits_and_link_lifetimes_from_the_settings(client, db):
    text = visible_text(client.get(reverse("help")))
    assert "If you enter the wrong password 5 times, you have to wait 15 minutes" in text
    assert "The link works once, for 3 days." in text
    assert "for up to 8 hours." in text
    assert "Not updated for 90 days" in text
    assert "Due in the next 30 days" in text


@override_settings(AXES_FAILURE_LIMIT=3, PASSWORD_RESET_TIMEOUT=2 * 60 * 60)
def test_help_follows_the_sign_in_settings_when_they_change(client, db):
    text = visible_text(client.get(reverse("help")))
    assert "If you enter the wrong password 3 times" in text
    assert "The link works once, for 2 hours." in text
