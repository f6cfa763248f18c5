"""What the log says: a refusal or a missing page is one line; a server error has its traceback and
is mailed to ADMINS."""

import io
import logging

import pytest
from django.urls import path, reverse

from laming.logging import OneLineForClientErrors


def broken_page(request):
    raise ZeroDivisionError("a bug in a page")


# The URLs of the server-error tests (ROOT_URLCONF="tests.test_logging").
urlpatterns = [path("broken/", broken_page)]


@pytest.fixture
def console():
    """What the console handler (the log an operator reads) writes during the test."""
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, OneLineForClientErrors) for f in handler.filters)
    ]
    output = io.StringIO()
    original = handler.setStream(output)
    yield output
    handler.setStream(original)


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Laming Tracker support", "support@example.gov.uk")]


def request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_refusal_is_logged_as_one_line_without_a_traceback(
    client, outsider, console, caplog, admins, mailoutbox
):
    url = reverse("responses:edit", args=["darlington", 51])
    client.force_login(outsider)
    assert client.get(url).status_code == 403

    (record,) = request_records(caplog)
    assert record.exc_info is None
    assert "Traceback" not in caplog.text
    assert console.getvalue() == f"Forbidden (Permission denied): {url}\n"
    assert mailoutbox == []


def test_a_missing_page_is_logged_as_one_line_without_a_traceback(officer_client, console, caplog):
    url = reverse("authorities:detail", args=["nowhere"])
    assert officer_client.get(url).status_code == 404

    (record,) = request_records(caplog)
    assert record.exc_info is None
    assert console.getvalue() == f"Not Found: {url}\n"


@pytest.mark.urls("tests.test_logging")
def test_a_server_error_is_logged_with_its_traceback_and_mailed_to_admins(
    officer_client, console, caplog, admins, settings, mailoutbox
):
    officer_client.raise_request_exception = False
    response = officer_client.get("/broken/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()

    (record,) = request_records(caplog)
    assert record.exc_info[0] is ZeroDivisionError
    logged = console.getvalue()
    assert logged.startswith("Internal Server Error: /broken/\nTraceback")
    assert "ZeroDivisionError: a bug in a page" in logged

    (mail,) = mailoutbox
    assert mail.to == ["support@example.gov.uk"]
    assert mail.subject.startswith("[Laming Tracker] ERROR")
    assert "Internal Server Error: /broken/" in mail.subject
    assert "ZeroDivisionError at /broken/" in mail.body
    assert "Traceback" in mail.body
    # Django's report lists the settings, with anything secret blanked.
    assert settings.SECRET_KEY not in mail.body


@pytest.mark.urls("tests.test_logging")
def test_without_admins_a_server_error_is_only_logged(officer_client, console, settings, mailoutbox):
    settings.ADMINS = []
    officer_client.raise_request_exception = False
    assert officer_client.get("/broken/").status_code == 500
    assert "ZeroDivisionError" in console.getvalue()
    assert mailoutbox == []


def test_a_request_for_another_host_is_logged_but_not_mailed(client, console, admins, mailoutbox, settings):
    """Scanners, and health probes sent to a server's own address, name hosts the app does not serve:
    Django refuses them (400) and would mail each one to ADMINS."""
    settings.ALLOWED_HOSTS = ["tracker.example.gov.uk"]
    reply = client.get("/accounts/login/", headers={"host": "10.0.0.7"})
    assert reply.status_code == 400
    assert mailoutbox == []
    assert "Invalid HTTP_HOST header: '10.0.0.7'" in console.getvalue()
