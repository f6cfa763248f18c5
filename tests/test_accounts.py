"""A person's own account: "Forgotten your password?", changing a password, and the account page."""

import re
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from authorities.models import Membership, Person

from .conftest import make_user
from .helpers import visible_text
from .test_sign_in import PASSWORD, assert_signed_out, fail_to_sign_in, sign_in

NEW_PASSWORD = "a-quite-new-laming-passphrase"
SITE = "https://tracker.example.gov.uk"
CHECK_YOUR_EMAIL = "If that email address belongs to a Laming Tracker account, we have sent it a link"
EXPIRED = "This link has expired or has already been used"


@pytest.fixture
def officer(officer_darlington):
    officer_darlington.email = "jenni.cooke@darlington.example.org"
    officer_darlington.first_name, officer_darlington.last_name = "Jenni", "Cooke"
    officer_darlington.save()
    return officer_darlington


def ask_for_a_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def reset_link(message):
    """The link in a reset mail's text part."""
    found = re.findall(r"https?://\S+/accounts/reset/\S+/", message.body)
    assert len(found) == 1, message.body
    return found[0]


def path_of(link):
    return link.removeprefix(settings.SITE_URL)


def set_new_password(client, link, password=NEW_PASSWORD, again=None):
    """Open the link from the mail, then set a new password on the page it leads to."""
    opened = client.get(path_of(link), follow=True)
    assert opened.status_code == 200
    if EXPIRED in visible_text(opened):
        return opened
    form_url = opened.redirect_chain[-1][0]
    return client.post(
        form_url,
        {"new_password1": password, "new_password2": password if again is None else again},
        follow=True,
    )


# Asking for a link


def test_the_sign_in_page_offers_a_way_to_reset_a_forgotten_password(client, db):
    response = client.get(reverse("login"))
    assert f'<a class="govuk-link" href="{reverse("password_reset")}">Forgotten your password?</a>' in (
        response.content.decode()
    )
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Reset your password Enter the email address of your Laming Tracker account." in visible_text(page)


@override_settings(SITE_URL=SITE)
def test_a_known_address_is_sent_a_link_that_sets_a_new_password_which_signs_in(client, officer):
    response = ask_for_a_reset(client, "jenni.cooke@darlington.example.org")
    assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert CHECK_YOUR_EMAIL in visible_text(response)
    assert "The link works once, for 3 days." in visible_text(response)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jenni.cooke@darlington.example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "[Laming Tracker] Reset your password"
    assert "Hello Jenni Cooke," in message.body
    assert "Your username is officer.test-darlington." in message.body
    assert "The link works once, for 3 days." in message.body
    link = reset_link(message)
    assert link.startswith(f"{SITE}/accounts/reset/")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{link}" style="color: #1d70b8;">Set a new password</a>' in html

    done = set_new_password(client, link)
    assert "Your password has been reset" in visible_text(done)
    assert sign_in(Client(), officer.username, PASSWORD).status_code == 200  # the old one is refused
    signed_in = Client()
    assert sign_in(signed_in, officer.username, NEW_PASSWORD).status_code == 302
    assert signed_in.get(reverse("home")).status_code == 200


def test_the_address_is_matched_whatever_its_capitals(client, officer):
    ask_for_a_reset(client, "Jenni.Cooke@Darlington.example.org")
    assert [m.to for m in mail.outbox] == [["jenni.cooke@darlington.example.org"]]


@override_settings(SITE_URL=SITE, ALLOWED_HOSTS=["testserver", "attacker.example"])
def test_the_link_is_built_from_the_sites_address_never_the_host_the_browser_named(officer):
    Client(HTTP_HOST="attacker.example").post(
        reverse("password_reset"), {"email": "jenni.cooke@darlington.example.org"}
    )
    message = mail.outbox[0]
    assert reset_link(message).startswith(f"{SITE}/accounts/reset/")
    assert "attacker.example" not in message.body
    assert "attacker.example" not in message.alternatives[0][0]


def no_account(db):
    return None


def inactive(db):
    return make_user("officer.left", email="left@darlington.example.org", is_active=False)


def without_a_password(db):
    user = make_user("officer.no-password", email="no-password@darlington.example.org")
    user.set_unusable_password()
    user.save()
    return user


@pytest.mark.parametrize(
    ("make", "email"),
    [
        (no_account, "nobody@darlington.example.org"),
        (inactive, "left@darlington.example.org"),
        (without_a_password, "no-password@darlington.example.org"),
    ],
    ids=["unknown address", "inactive account", "account without a password"],
)
def test_an_address_that_gets_no_mail_is_answered_exactly_as_a_known_one(client, officer, db, make, email):
    known = ask_for_a_reset(client, officer.email)
    assert len(mail.outbox) == 1
    make(db)
    other = ask_for_a_reset(Client(), email)
    assert len(mail.outbox) == 1
    assert other.redirect_chain == known.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert visible_text(other) == visible_text(known)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1")
def test_a_mail_server_that_is_down_is_logged_not_shown(client, officer, caplog):
    with override_settings(EMAIL_PORT=closed_port()):
        response = ask_for_a_reset(client, officer.email)
    assert response.status_code == 200
    assert CHECK_YOUR_EMAIL in visible_text(response)
    assert f"Could not send a password reset mail to user {officer.pk}" in caplog.text


def closed_port():
    """A port on loopback that nothing listens on: the mail server is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "Enter your email address"),
        ("jenni.cooke", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_a_missing_or_malformed_address_is_explained_and_nothing_is_sent(client, officer, email, error):
    response = ask_for_a_reset(client, email)
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert f"There is a problem {error}" in visible_text(response)
    assert visible_text(response).count(error) == 2  # in the summary and beside the box
    assert mail.outbox == []


# Using the link


def test_a_link_works_only_once(client, officer):
    ask_for_a_reset(client, officer.email)
    link = reset_link(mail.outbox[0])
    assert "Your password has been reset" in visible_text(set_new_password(client, link))

    again = set_new_password(Client(), link, password="yet-another-laming-passphrase")
    assert EXPIRED in visible_text(again)
    assert sign_in(Client(), officer.username, NEW_PASSWORD).status_code == 302


def travel(monkeypatch, by):
    real = PasswordResetTokenGenerator._now
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: real(self) + by)


def test_a_link_works_until_the_timeout(client, officer, monkeypatch):
    ask_for_a_reset(client, officer.email)
    travel(monkeypatch, timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))
    assert "Your password has been reset" in visible_text(
        set_new_password(client, reset_link(mail.outbox[0]))
    )


def test_a_link_is_refused_after_the_timeout(client, officer, monkeypatch):
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 60 * 60
    ask_for_a_reset(client, officer.email)
    travel(monkeypatch, timedelta(days=3, seconds=1))
    response = set_new_password(client, reset_link(mail.outbox[0]))
    assert f"{EXPIRED} A link to reset your password works once, for 3 days." in visible_text(response)
    assert 'href="/accounts/password_reset/">Ask for a new link</a>' in response.content.decode()
    assert sign_in(Client(), officer.username, PASSWORD).status_code == 302  # the password is unchanged


def test_signing_in_with_the_old_password_stops_an_unused_link_from_working(client, officer):
    ask_for_a_reset(client, officer.email)
    assert sign_in(Client(), officer.username, PASSWORD).status_code == 302
    assert EXPIRED in visible_text(set_new_password(client, reset_link(mail.outbox[0])))


def test_a_made_up_link_is_refused(client, officer):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "abc-123"]))
    assert response.status_code == 200
    assert EXPIRED in visible_text(response)


@pytest.mark.parametrize(
    ("password", "again", "errors"),
    [
        ("short1", "short1", ["Password must be 8 characters or more"]),
        ("password", "password", ["Password must not be a common password that is easy to guess"]),
        ("2009031220090506", "2009031220090506", ["Password must not be only numbers"]),
        (
            "test-darlington-officer",
            "test-darlington-officer",
            ["Password must not be similar to your username"],
        ),
        (NEW_PASSWORD, NEW_PASSWORD + "x", ["Enter the same password in both boxes"]),
        ("", "", ["Enter a new password", "Enter the new password again"]),
    ],
    ids=["too short", "common", "numbers only", "like the username", "not the same twice", "empty"],
)
def test_a_new_password_that_will_not_do_is_explained_the_gov_uk_way_and_nothing_changes(
    client, officer, password, again, errors
):
    ask_for_a_reset(client, officer.email)
    response = set_new_password(client, reset_link(mail.outbox[0]), password=password, again=again)
    assert response.status_code == 200
    text = visible_text(response)
    assert text.startswith("Error: Set a new password")
    assert f"There is a problem {' '.join(errors)}" in text
    for error in errors:
        assert f"Error: {error}" in text
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    # The link is not used up by a mistake: the same page takes a good password next.
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else response.request["PATH_INFO"]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Your password has been reset" in visible_text(done)


def test_a_reset_lets_a_locked_out_user_sign_in_at_once(client, officer):
    fail_to_sign_in(client, officer, 4)
    assert sign_in(client, officer.username, "wrong-password").status_code == 429
    assert sign_in(client, officer.username, PASSWORD).status_code == 429
    locked_out = visible_text(sign_in(client, officer.username, PASSWORD))
    assert "If you cannot remember your password, you can reset your password" in locked_out

    ask_for_a_reset(client, officer.email)
    set_new_password(client, reset_link(mail.outbox[0]))

    assert sign_in(client, officer.username, NEW_PASSWORD).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_reset_does_not_lift_anyone_elses_lockout(client, officer, officer_newcastle):
    fail_to_sign_in(client, officer_newcastle, 4)
    assert sign_in(client, officer_newcastle.username, "wrong-password").status_code == 429
    ask_for_a_reset(client, officer.email)
    set_new_password(client, reset_link(mail.outbox[0]))
    assert sign_in(client, officer_newcastle.username, PASSWORD).status_code == 429


# Changing a password


def change_password(client, current, new=NEW_PASSWORD, again=None):
    return client.post(
        reverse("password_change"),
        {"old_password": current, "new_password1": new, "new_password2": new if again is None else again},
        follow=True,
    )


def test_a_signed_in_user_changes_their_password_and_other_sessions_end(client, officer):
    elsewhere = Client()
    sign_in(elsewhere, officer.username, PASSWORD)
    sign_in(client, officer.username, PASSWORD)
    account = client.get(reverse("account"))
    assert f'<a class="govuk-link" href="{reverse("password_change")}">Change your password</a>' in (
        account.content.decode()
    )

    response = change_password(client, PASSWORD)
    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Your password has been changed" in visible_text(response)
    assert client.get(reverse("home")).status_code == 200  # still signed in here
    assert_signed_out(elsewhere)
    assert sign_in(Client(), officer.username, NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_is_explained_and_nothing_changes(client, officer):
    client.force_login(officer)
    response = change_password(client, "not-my-password")
    assert response.status_code == 200
    assert "There is a problem Your current password is incorrect" in visible_text(response)
    response = change_password(client, PASSWORD, new="short1")
    assert "There is a problem Password must be 8 characters or more" in visible_text(response)
    assert sign_in(Client(), officer.username, PASSWORD).status_code == 302


def test_changing_a_password_needs_signing_in(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The account page


def test_the_account_page_shows_name_email_and_each_role_in_words(client, officer, newcastle):
    Membership.objects.create(user=officer, authority=newcastle, role=Membership.Role.CHAIR)
    client.force_login(officer)
    text = visible_text(client.get(reverse("account")))
    assert "Name Jenni Cooke" in text
    assert "Username officer.test-darlington" in text
    assert "Email address jenni.cooke@darlington.example.org" in text
    assert "Roles Council officer, Darlington LSCB chair, Newcastle" in text


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("administrator", "Role Administrator, all councils"),
        ("council_admin_darlington", "Role Council administrator, Darlington"),
        ("outsider", "Roles You have no role at any council yet"),
    ],
)
def test_the_account_page_says_what_each_persona_may_do(client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))
    text = visible_text(client.get(reverse("account")))
    assert shown in text
    assert "Email address Not recorded. You need one to reset a forgotten password." in text


def test_signed_in_pages_link_to_the_account_page(client, officer):
    assert "Your account" not in visible_text(client.get(reverse("login")))
    client.force_login(officer)
    assert '<a class="govuk-service-navigation__link" href="/account/">Your account</a>' in (
        client.get(reverse("home")).content.decode()
    )


def test_reminders_are_weekly_until_turned_off_and_saving_says_so(client, officer):
    client.force_login(officer)
    page = client.get(reverse("account"))
    assert 'type="radio" value="weekly" checked' in page.content.decode()
    assert not Person.objects.filter(user=officer).exists()  # opening the page writes nothing

    response = client.post(reverse("account"), {"reminders": "off"}, follow=True)
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert "Success You will not get reminder emails" in visible_text(response)
    assert 'type="radio" value="off" checked' in response.content.decode()
    assert Person.of(officer).reminders == Person.Reminders.OFF

    response = client.post(reverse("account"), {"reminders": "weekly"}, follow=True)
    assert "You will get a weekly reminder email when your council's responses need attention" in (
        visible_text(response)
    )
    assert Person.of(officer).reminders == Person.Reminders.WEEKLY


@pytest.mark.parametrize("body", [{}, {"reminders": "daily"}], ids=["nothing chosen", "not a choice"])
def test_a_bad_reminder_choice_is_explained_and_nothing_changes(client, officer, body):
    Person.objects.create(user=officer, reminders=Person.Reminders.OFF)
    client.force_login(officer)
    response = client.post(reverse("account"), body)
    assert response.status_code == 200
    assert "There is a problem Select weekly or off" in visible_text(response)
    assert Person.of(officer).reminders == Person.Reminders.OFF


def test_a_mail_to_someone_without_a_name_greets_them_plainly(client, officer):
    officer.first_name = officer.last_name = ""
    officer.save()
    ask_for_a_reset(client, officer.email)
    assert mail.outbox[0].body.startswith("Hello,\n\nSomeone asked to reset the password")
