"""Signing in and out: lockout after failed attempts, session cookies, and the GOV.UK error pages."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import permission_denied

from .helpers import visible_text

PASSWORD = "correct-horse-battery"  # every persona's, from tests/conftest.py


def sign_in(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def fail_to_sign_in(client, user, times, url=None):
    for _ in range(times):
        response = sign_in(client, user.username, "wrong-password", url)
        assert response.status_code == 200


def assert_signed_out(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Lockout (django-axes)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_password(client, officer_darlington):
    fail_to_sign_in(client, officer_darlington, 4)
    fifth = sign_in(client, officer_darlington.username, "wrong-password")
    assert fifth.status_code == 429
    assert "You have tried to sign in too many times" in visible_text(fifth)

    response = sign_in(client, officer_darlington.username, PASSWORD)
    assert response.status_code == 429
    text = visible_text(response)
    assert "You have tried to sign in too many times" in text
    # registration/locked_out.html gives the wait in words; it must match the setting.
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"You can try again in {minutes} minutes." in text
    assert_signed_out(client)


def test_the_lockout_is_for_that_username_only(client, officer_darlington, officer_newcastle):
    fail_to_sign_in(client, officer_darlington, 4)
    assert sign_in(client, officer_darlington.username, "wrong-password").status_code == 429
    response = sign_in(client, officer_newcastle.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_signing_in_successfully_resets_the_count_of_failures(client, officer_darlington):
    fail_to_sign_in(client, officer_darlington, 4)
    assert AccessAttempt.objects.get(username=officer_darlington.username).failures_since_start == 4
    assert sign_in(client, officer_darlington.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=officer_darlington.username).exists()
    client.post(reverse("logout"))

    # Without the reset these would be failures six to nine, and the account would be locked.
    fail_to_sign_in(client, officer_darlington, 4)
    assert sign_in(client, officer_darlington.username, PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_admin_sign_in_is_throttled_too(client, administrator):
    admin_login = reverse("admin:login")
    fail_to_sign_in(client, administrator, 4, url=admin_login)
    assert sign_in(client, administrator.username, "wrong-password", admin_login).status_code == 429

    response = sign_in(client, administrator.username, PASSWORD, admin_login)
    assert response.status_code == 429
    assert "You have tried to sign in too many times" in visible_text(response)
    assert client.get(reverse("admin:index")).status_code == 302


# Signing out


def test_signing_out_ends_the_session_and_says_so_on_the_sign_in_page(client, officer_darlington):
    sign_in(client, officer_darlington.username, PASSWORD)
    session_key = client.session.session_key

    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    text = visible_text(response)
    assert "Success You have been signed out" in text
    assert "Sign in" in text
    assert not Session.objects.filter(session_key=session_key).exists()
    assert_signed_out(client)


def test_opening_the_sign_out_address_as_a_link_does_not_sign_out(officer_client):
    response = officer_client.get(reverse("logout"))
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert "You are still signed in" in visible_text(response)
    assert officer_client.get(reverse("home")).status_code == 200


def test_signing_out_after_the_session_has_ended_lands_on_the_sign_in_page(client, db):
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")


# Session cookies


def test_the_session_cookie_ends_with_the_browser_and_the_session_after_eight_hours(
    client, officer_darlington
):
    response = sign_in(client, officer_darlington.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Max-Age or Expires: a browser-session cookie, gone when the browser closes.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    # The server forgets the session after a working day, whatever the browser does.
    session = Session.objects.get(session_key=cookie.value)
    assert abs(session.expire_date - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)


def test_cookies_are_secure_and_the_session_cookie_hidden_from_scripts_when_debug_is_off(
    client, officer_darlington
):
    assert not settings.DEBUG
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    csrf_cookie = client.get(reverse("login")).cookies[settings.CSRF_COOKIE_NAME]
    assert "Secure" in csrf_cookie.output()

    response = sign_in(client, officer_darlington.username, PASSWORD)
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME].output()
    assert "Secure" in session_cookie
    assert "HttpOnly" in session_cookie


def test_pages_forbid_framing_and_content_sniffing(officer_client):
    response = officer_client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# Passwords


@pytest.mark.parametrize("password", ["password", "laming", "12345678"])
def test_short_common_or_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_admin_will_not_add_a_user_with_a_common_password(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "officer.new",
            "usable_password": "true",
            "password1": "password",
            "password2": "password",
        },
    )
    assert response.status_code == 200
    assert "This password is too common." in visible_text(response)
    assert not get_user_model().objects.filter(username="officer.new").exists()


# Error pages


def test_a_sign_in_form_sent_without_its_csrf_token_shows_the_gov_uk_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "anyone", "password": "anything"})
    assert response.status_code == 403
    text = visible_text(response)
    assert "Your session has timed out or the form could not be checked" in text
    assert "Go back to the page you were on, refresh the page and try again." in text


def test_an_unknown_address_shows_page_not_found_to_a_signed_in_user(officer_client):
    response = officer_client.get("/no-such-page/")
    assert response.status_code == 404
    text = visible_text(response)
    assert "Page not found" in text
    assert "If you typed the web address, check it is correct." in text
    assert "If you pasted the web address, check you copied the entire address." in text


def test_a_refusal_shows_the_gov_uk_permission_page(officer_darlington):
    request = RequestFactory().get("/")
    request.user = officer_darlington
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You do not have permission to see or change this" in response.content.decode()


def test_the_server_error_page_renders_without_a_request_or_the_database():
    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
    assert 'href="/static/govuk/govuk-frontend.min.css"' in html
