"""Mail through a real SMTP server: aiosmtpd listening on loopback, and Django's SMTP backend as
production uses it. What arrived is read back as the server received it."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from .helpers import visible_text
from .test_sign_in import sign_in

SITE = "https://tracker.example.gov.uk"


class Inbox:
    """An aiosmtpd handler that keeps each message it accepts."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """An SMTP server on 127.0.0.1 at a free port, and the settings that send the app's mail to it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            SITE_URL=SITE,
        ):
            yield inbox
    finally:
        controller.stop()


def test_a_password_reset_mail_arrives_at_the_smtp_server_with_a_link_that_works(
    smtp_server, officer_darlington
):
    officer_darlington.email = "officer.darlington@example.org"
    officer_darlington.save()

    response = Client().post(reverse("password_reset"), {"email": "officer.darlington@example.org"})
    assert response.status_code == 302

    [envelope] = smtp_server.received
    assert envelope.mail_from == settings.DEFAULT_FROM_EMAIL
    assert envelope.rcpt_tos == ["officer.darlington@example.org"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert message["Subject"] == "[Laming Tracker] Reset your password"
    assert message["To"] == "officer.darlington@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    [link] = re.findall(r"https?://\S+/accounts/reset/\S+/", text)
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert f'href="{link}"' in html
    assert "Your username is officer.test-darlington." in text

    # The link, as the officer would open it from their mail, sets a password that signs in.
    client = Client()
    opened = client.get(link.removeprefix(SITE), follow=True)
    assert "Set a new password" in visible_text(opened)
    new = "a-password-from-the-smtp-mail"
    done = client.post(
        opened.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your password has been reset" in visible_text(done)
    assert sign_in(Client(), officer_darlington.username, new).status_code == 302


def test_an_unknown_address_sends_nothing_to_the_smtp_server(smtp_server, db):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert smtp_server.received == []
