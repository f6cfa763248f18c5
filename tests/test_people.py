"""A council's administrators manage its people: invitations by email, roles, accounts, and the history.

Who may open the pages is in tests/test_access.py's walk; these tests post to them, follow the mail,
and check what a user would notice: who holds which role, who can sign in, and what the history says.
"""

import datetime
import re
import smtplib
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import InternalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authorities import people
from authorities.models import Authority, Invitation, Membership, PeopleChange, PeopleHistoryError
from responses.models import LocalResponse, ProgressUpdate

from .conftest import make_user
from .helpers import visible_text
from .test_access import valid_post
from .test_concurrency import race, reference_data  # noqa: F401 (a fixture)

PASSWORD = "correct-horse-battery"  # every persona's, from tests/conftest.py
NEW_PASSWORD = "kettle-lantern-orchard-1909"
User = get_user_model()


def people_url(slug="darlington"):
    return reverse("authorities:people", args=[slug])


def person_url(user, slug="darlington"):
    return reverse("authorities:person", args=[slug, user.pk])


def invite(
    client, email="jo.bloggs@darlington.example.org", roles=("officer",), name="Jo Bloggs", slug="darlington"
):
    return client.post(
        reverse("authorities:people_invite", args=[slug]),
        {"email": email, "name": name, "roles": list(roles)},
    )


def link_in(message):
    """The invitation link in a mail, checked to be the same in its text and HTML parts."""
    links = re.findall(r"https?://\S+/invitations/[\w-]+/", message.body)
    assert len(links) == 1, message.body
    html, content_type = message.alternatives[0]
    assert content_type == "text/html"
    assert f'href="{links[0]}"' in html
    return links[0]


def path_of(link):
    assert link.startswith(settings.SITE_URL + "/")
    return link.removeprefix(settings.SITE_URL)


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def roles_of(user, slug="darlington"):
    return sorted(Membership.objects.filter(user=user, authority__slug=slug).values_list("role", flat=True))


def history(slug="darlington"):
    """The council's history as the people page words it, newest first: (who, what)."""
    return [
        (change.by_name, change.description())
        for change in PeopleChange.objects.history_of(Authority.objects.get(slug=slug))
    ]


@pytest.fixture
def admin_client(client, council_admin_darlington):
    client.force_login(council_admin_darlington)
    return client


@pytest.fixture
def invited(admin_client):
    """A Darlington officer invited by admin.test-darlington; the path of the link in the mail."""
    assert invite(admin_client).status_code == 302
    (message,) = mail.outbox
    return path_of(link_in(message))


# Inviting someone, and accepting


def test_a_council_administrator_invites_someone_who_sets_up_an_account_and_edits_a_darlington_response(
    admin_client, council_admin_darlington
):
    response = invite(admin_client)
    assert response.status_code == 302
    assert response["Location"] == people_url()
    (message,) = mail.outbox
    assert message.to == ["jo.bloggs@darlington.example.org"]
    assert message.subject == "[Laming Tracker] Invitation to Laming Tracker: Darlington Borough Council"
    assert (
        "has invited you to use Laming Tracker as Council officer at Darlington Borough Council"
        in message.body
    )
    link = link_in(message)
    assert link.startswith(settings.SITE_URL + "/invitations/")
    page = visible_text(admin_client.get(people_url()))
    assert "Invitations waiting (1)" in page
    assert "jo.bloggs@darlington.example.org Jo Bloggs Council officer" in page

    invitee = Client()
    form = invitee.get(path_of(link))
    assert form.status_code == 200
    assert "Set up your account" in visible_text(form)
    assert 'value="jo.bloggs@darlington.example.org"' in form.content.decode()  # the suggested username
    response = invitee.post(
        path_of(link),
        {"name": "Jo Bloggs", "username": "jo.bloggs", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Your account has been set up and you are signed in. Your username is jo.bloggs." in visible_text(
        invitee.get(reverse("home"))
    )
    jo = User.objects.get(username="jo.bloggs")
    assert (jo.email, jo.get_full_name(), jo.is_staff, jo.is_superuser) == (
        "jo.bloggs@darlington.example.org",
        "Jo Bloggs",
        False,
        False,
    )
    assert roles_of(jo) == ["officer"]
    assert Membership.objects.filter(user=jo).count() == 1

    # Signed out, Jo signs in with the new password and updates a Darlington response.
    invitee.post(reverse("logout"))
    assert sign_in(invitee, "jo.bloggs", NEW_PASSWORD).status_code == 302
    route, kwargs = "responses:edit", {"slug": "darlington", "number": 51}
    updates = ProgressUpdate.objects.count()
    assert invitee.post(reverse(route, kwargs=kwargs), valid_post(route, kwargs)).status_code == 302
    assert ProgressUpdate.objects.count() == updates + 1
    saved = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)
    assert saved.updated_by == jo

    page = visible_text(admin_client.get(people_url()))
    assert "Invitations waiting (0)" in page
    assert "Jo Bloggs jo.bloggs jo.bloggs@darlington.example.org Council officer" in page
    assert history()[:2] == [
        (
            "Jo Bloggs",
            "Jo Bloggs accepted the invitation to jo.bloggs@darlington.example.org: now Council officer",
        ),
        ("admin.test-darlington", "Invited jo.bloggs@darlington.example.org as Council officer"),
    ]


def test_an_invitation_link_works_once(invited):
    first = Client().post(
        invited,
        {"name": "Jo Bloggs", "username": "jo.bloggs", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert first.status_code == 302
    again = Client()
    response = again.get(invited)
    assert response.status_code == 410
    assert "This invitation has already been used" in visible_text(response)
    response = again.post(
        invited,
        {"name": "Someone Else", "username": "someone", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 410
    assert not User.objects.filter(username="someone").exists()


def test_opening_the_link_changes_nothing(invited):
    """Mail scanners open links: only a POST uses the invitation."""
    for _ in range(3):
        assert Client().get(invited).status_code == 200
    assert Invitation.objects.get().state == Invitation.State.WAITING


def test_an_expired_link_is_refused(invited):
    invitation = Invitation.objects.get()
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 60 * 60
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=3)
    just_before = invitation.expires_at - datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=just_before):
        assert Client().get(invited).status_code == 200
    with mock.patch(
        "django.utils.timezone.now", return_value=invitation.expires_at + datetime.timedelta(seconds=1)
    ):
        client = Client()
        response = client.get(invited)
        assert response.status_code == 410
        assert "This invitation has expired" in visible_text(response)
        assert "Invitation links work for 3 days." in visible_text(response)
        response = client.post(
            invited,
            {"name": "Jo", "username": "jo.bloggs", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 410
    assert not User.objects.filter(username="jo.bloggs").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path[:-2] + ("A" if path[-2] != "A" else "B") + "/",  # one character changed
        lambda path: path[:-6] + "/",  # cut short
        lambda path: path[:-1] + "x" * 200 + "/",  # made longer
        lambda path: "/invitations/not-a-token/",
    ],
    ids=["changed", "cut short", "too long", "made up"],
)
def test_a_tampered_link_is_refused(invited, tamper):
    client = Client()
    response = client.get(tamper(invited))
    assert response.status_code == 404
    assert "This invitation link is not valid" in visible_text(response)
    response = client.post(
        tamper(invited),
        {"name": "Jo", "username": "jo.bloggs", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert not User.objects.filter(username="jo.bloggs").exists()


def test_sending_an_invitation_again_replaces_its_link_and_withdrawing_it_stops_it(admin_client, invited):
    invitation = Invitation.objects.get()
    response = admin_client.post(
        reverse("authorities:invitation_send_again", args=["darlington", invitation.pk])
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    newer = path_of(link_in(mail.outbox[1]))
    assert newer != invited
    assert Client().get(invited).status_code == 404  # the earlier link no longer works
    assert Client().get(newer).status_code == 200

    admin_client.post(reverse("authorities:invitation_withdraw", args=["darlington", invitation.pk]))
    response = Client().get(newer)
    assert response.status_code == 410
    assert "This invitation has been withdrawn" in visible_text(response)
    assert "Invitations waiting (0)" in visible_text(admin_client.get(people_url()))
    # A withdrawn invitation is not sent again.
    admin_client.post(reverse("authorities:invitation_send_again", args=["darlington", invitation.pk]))
    assert len(mail.outbox) == 2


def test_an_expired_invitation_sent_again_works_for_3_days_from_the_day_it_is_sent_again(
    admin_client, invited
):
    five_days_ago = timezone.now() - datetime.timedelta(days=5)
    Invitation.objects.update(sent_at=five_days_ago, expires_at=five_days_ago + datetime.timedelta(days=3))
    invitation = Invitation.objects.get()
    assert Client().get(invited).status_code == 410
    admin_client.post(reverse("authorities:invitation_send_again", args=["darlington", invitation.pk]))
    invitation.refresh_from_db()
    assert timezone.now() - invitation.sent_at < datetime.timedelta(minutes=1)
    assert invitation.expires_at == invitation.sent_at + datetime.timedelta(days=3)
    newer = path_of(link_in(mail.outbox[-1]))
    just_before = invitation.expires_at - datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=just_before):
        assert Client().get(newer).status_code == 200


def test_the_accept_form_asks_for_a_good_password_and_a_free_username(invited, officer_darlington):
    client = Client()

    def errors(**data):
        fields = {
            "name": "Jo Bloggs",
            "username": "jo.bloggs",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        }
        response = client.post(invited, {**fields, **data})
        assert response.status_code == 200
        return visible_text(response)

    assert "This password is too common." in errors(password1="password", password2="password")
    assert "This password is too short." in errors(password1="kx81!", password2="kx81!")
    assert "The passwords do not match" in errors(password2=NEW_PASSWORD + "x")
    both = errors(password1="password", password2="passwrd")
    assert "This password is too common." in both
    assert "The passwords do not match" in both
    assert "That username is taken: choose another" in errors(username=officer_darlington.username.upper())
    assert "Username must only include letters, numbers, and @ . + - _" in errors(username="jo bloggs")
    assert "Enter a password" in errors(password1="")
    assert User.objects.filter(email="jo.bloggs@darlington.example.org").count() == 0
    assert Invitation.objects.get().state == Invitation.State.WAITING


def test_an_address_with_an_account_signs_in_and_the_roles_are_added_to_it(admin_client, officer_newcastle):
    """The simplest correct thing: one account per person. The invitee signs in as that account, comes
    back to the link, and accepts; nothing happens until they do."""
    officer_newcastle.email = "sam@newcastle.example.org"
    officer_newcastle.save()
    invite(admin_client, email="Sam@newcastle.example.org", roles=["chair", "clerk"])
    link = path_of(link_in(mail.outbox[0]))

    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert "You already have an account with this email address." in visible_text(page)
    assert f'href="/accounts/login/?next={link}"' in page.content.decode().replace("%2F", "/")

    client.force_login(officer_newcastle)
    page = client.get(link)
    assert "Accept the invitation" in visible_text(page)
    assert roles_of(officer_newcastle) == []  # opening it changed nothing
    assert client.post(link).status_code == 302
    assert roles_of(officer_newcastle) == ["chair", "clerk"]
    assert roles_of(officer_newcastle, "newcastle") == ["officer"]
    assert client.get(link).status_code == 410


def test_someone_signed_in_as_another_account_cannot_accept(invited, officer_darlington):
    client = Client()
    client.force_login(officer_darlington)
    page = client.get(invited)
    assert "This invitation is for someone else" in visible_text(page)
    client.post(invited, {"name": "X", "username": "x", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert Invitation.objects.get().state == Invitation.State.WAITING
    assert roles_of(officer_darlington) == ["officer"]


def test_an_address_already_invited_or_already_at_the_council_is_not_invited_again(
    admin_client, officer_darlington
):
    invite(admin_client)
    text = visible_text(invite(admin_client, email="JO.BLOGGS@darlington.example.org"))
    assert "has already been invited to Darlington: resend that invitation instead" in text
    officer_darlington.email = "officer@darlington.example.org"
    officer_darlington.save()
    text = visible_text(invite(admin_client, email="officer@darlington.example.org"))
    assert "already has an account at Darlington: change their roles from the list of people instead" in text
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_nothing_is_kept_when_the_invitation_cannot_be_mailed(admin_client):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("gone")):
        response = invite(admin_client)
    assert response.status_code == 200
    assert "The invitation email could not be sent, so nothing has been saved." in visible_text(response)
    assert Invitation.objects.count() == 0
    assert PeopleChange.objects.count() == 0


# Only their own council, and never the administrator role


def newcastle_records(newcastle):
    """A Newcastle officer and a waiting Newcastle invitation, to aim posts at."""
    officer = make_user("officer.people-newcastle", newcastle, Membership.Role.OFFICER)
    token, token_hash = people.new_token()
    invitation = Invitation.objects.create(
        authority=newcastle,
        email="invited@newcastle.example.org",
        roles=["officer"],
        token_hash=token_hash,
        invited_by=officer,
        expires_at=timezone.now() + people.invitation_lifetime(),
    )
    return officer, invitation


def everything_about_people():
    return (
        list(Membership.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "is_active", "is_staff", "is_superuser")),
        list(Invitation.objects.order_by("pk").values()),
        PeopleChange.objects.count(),
    )


def test_a_council_administrator_is_refused_another_councils_people_page(admin_client, newcastle):
    response = admin_client.get(people_url("newcastle"))
    assert response.status_code == 403
    assert admin_client.get(people_url("nowhere")).status_code == 404


@pytest.mark.parametrize(
    "route",
    [
        "people_invite",
        "person",
        "person_deactivate",
        "person_reactivate",
        "invitation_withdraw",
        "invitation_send_again",
    ],
)
def test_a_council_administrator_is_refused_every_post_to_another_councils_people(
    admin_client, newcastle, route
):
    officer, invitation = newcastle_records(newcastle)
    args = {
        "people_invite": ["newcastle"],
        "person": ["newcastle", officer.pk],
        "person_deactivate": ["newcastle", officer.pk],
        "person_reactivate": ["newcastle", officer.pk],
        "invitation_withdraw": ["newcastle", invitation.pk],
        "invitation_send_again": ["newcastle", invitation.pk],
    }[route]
    before = everything_about_people()
    body = {"email": "someone@example.org", "roles": ["officer", "council_admin"]}
    response = admin_client.post(reverse(f"authorities:{route}", args=args), body)
    assert response.status_code == 403
    assert everything_about_people() == before
    assert mail.outbox == []


def test_another_councils_person_is_not_found_on_darlingtons_pages(admin_client, newcastle):
    officer, invitation = newcastle_records(newcastle)
    before = everything_about_people()
    assert admin_client.get(person_url(officer)).status_code == 404
    assert admin_client.post(person_url(officer), {"roles": []}).status_code == 404
    url = reverse("authorities:person_deactivate", args=["darlington", officer.pk])
    assert admin_client.post(url).status_code == 404
    url = reverse("authorities:invitation_withdraw", args=["darlington", invitation.pk])
    assert admin_client.post(url).status_code == 404
    assert everything_about_people() == before


def test_the_administrator_role_cannot_be_given(admin_client, officer_darlington):
    form = admin_client.get(reverse("authorities:people_invite", args=["darlington"])).content.decode()
    offered = re.findall(r'name="roles" type="checkbox" value="(\w+)"', form)
    assert offered == ["officer", "chair", "clerk", "council_admin"]

    before = everything_about_people()
    response = invite(admin_client, roles=["administrator"])
    assert response.status_code == 200
    assert "Select roles from the list" in visible_text(response)
    # A forged post: the administrator role beside a real one, and the flags of the user model.
    response = admin_client.post(
        person_url(officer_darlington),
        {"roles": ["officer", "administrator"], "is_staff": "on", "is_superuser": "on", "authority": ""},
    )
    assert response.status_code == 200
    assert "Select roles from the list" in visible_text(response)
    assert everything_about_people() == before
    assert mail.outbox == []
    assert not Membership.objects.filter(role=Membership.Role.ADMINISTRATOR, user=officer_darlington).exists()


def test_the_service_refuses_the_administrator_role_whoever_calls_it(
    darlington, officer_darlington, administrator
):
    with pytest.raises(people.ValidationError, match="Select roles from the list"):
        people.change_roles(
            authority=darlington, user=officer_darlington, roles=["administrator"], by=administrator
        )
    assert roles_of(officer_darlington) == ["officer"]


# Giving and removing roles


def test_a_council_administrator_gives_and_removes_roles(admin_client, officer_darlington):
    response = admin_client.post(person_url(officer_darlington), {"roles": ["chair", "clerk"]})
    assert response.status_code == 302
    assert roles_of(officer_darlington) == ["chair", "clerk"]
    page = visible_text(admin_client.get(response["Location"]))
    assert (
        "officer.test-darlington: given LSCB chair and Committee clerk and no longer Council officer" in page
    )
    assert history()[:3] == [
        ("admin.test-darlington", "Gave officer.test-darlington the role Committee clerk"),
        ("admin.test-darlington", "Gave officer.test-darlington the role LSCB chair"),
        ("admin.test-darlington", "Removed the role Council officer from officer.test-darlington"),
    ]


def test_a_council_administrator_cannot_remove_the_councils_last_council_administrator(
    admin_client, council_admin_darlington, darlington, administrator
):
    response = admin_client.post(person_url(council_admin_darlington), {"roles": ["officer"]})
    assert response.status_code == 200
    assert (
        "You are Darlington's only council administrator: give the role to someone else first, or ask an "
        "administrator" in visible_text(response)
    )
    assert roles_of(council_admin_darlington) == ["council_admin"]
    # A deactivated council administrator does not count: they cannot manage anything.
    other = make_user(
        "admin.other-darlington", darlington, Membership.Role.COUNCIL_ADMINISTRATOR, is_active=False
    )
    assert admin_client.post(person_url(council_admin_darlington), {"roles": []}).status_code == 200
    assert roles_of(council_admin_darlington) == ["council_admin"]
    # With another active one, they may step down.
    other.is_active = True
    other.save()
    assert admin_client.post(person_url(council_admin_darlington), {"roles": ["officer"]}).status_code == 302
    assert roles_of(council_admin_darlington) == ["officer"]
    # An administrator can still put things right, even leaving the council with none.
    admin_client.force_login(administrator)
    assert admin_client.post(person_url(other), {"roles": ["clerk"]}).status_code == 302
    assert not Membership.objects.filter(authority=darlington, role="council_admin").exists()


def test_removing_every_role_takes_someone_off_the_councils_people(admin_client, officer_darlington):
    response = admin_client.post(person_url(officer_darlington), {"roles": []})
    assert response.status_code == 302
    assert response["Location"] == people_url()
    assert "officer.test-darlington no longer holds any role at Darlington" in visible_text(
        admin_client.get(people_url())
    )
    assert roles_of(officer_darlington) == []
    assert officer_darlington.is_active
    assert admin_client.get(person_url(officer_darlington)).status_code == 404


# Deactivating accounts


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out(admin_client, officer_darlington):
    officer = Client()
    officer.force_login(officer_darlington)
    response = admin_client.post(
        reverse("authorities:person_deactivate", args=["darlington", officer_darlington.pk])
    )
    assert response.status_code == 302
    officer_darlington.refresh_from_db()
    assert not officer_darlington.is_active
    assert roles_of(officer_darlington) == ["officer"]  # kept, for reactivation
    assert "officer.test-darlington's account has been deactivated" in visible_text(
        admin_client.get(response["Location"])
    )
    assert officer.get(reverse("home")).status_code == 302  # the open session ends
    refused = sign_in(Client(), officer_darlington.username, PASSWORD)
    assert refused.status_code == 200
    assert "Enter a correct username and password" in visible_text(refused)
    assert "Deactivated" in visible_text(admin_client.get(people_url()))

    admin_client.post(reverse("authorities:person_reactivate", args=["darlington", officer_darlington.pk]))
    assert sign_in(Client(), officer_darlington.username, PASSWORD).status_code == 302
    assert history()[:2] == [
        ("admin.test-darlington", "Reactivated officer.test-darlington's account"),
        ("admin.test-darlington", "Deactivated officer.test-darlington's account"),
    ]


def test_an_account_with_roles_at_another_council_stays_open(admin_client, officer_darlington, newcastle):
    """Deactivating would lock them out of Newcastle's work too, which is not Darlington's to decide:
    Darlington removes its own roles instead."""
    Membership.objects.create(user=officer_darlington, authority=newcastle, role=Membership.Role.CHAIR)
    page = visible_text(admin_client.get(person_url(officer_darlington)))
    assert "also holds roles at another council, so their account stays open" in page
    assert "Newcastle" not in page.split("Account", 1)[1]  # the other council is not named
    response = admin_client.post(
        reverse("authorities:person_deactivate", args=["darlington", officer_darlington.pk])
    )
    officer_darlington.refresh_from_db()
    assert officer_darlington.is_active
    assert "also holds roles at another council" in visible_text(admin_client.get(response["Location"]))
    admin_client.post(person_url(officer_darlington), {"roles": []})
    assert roles_of(officer_darlington) == []
    assert roles_of(officer_darlington, "newcastle") == ["chair"]


def test_a_council_administrator_cannot_deactivate_an_administrator_or_themselves(
    admin_client, council_admin_darlington, administrator, darlington
):
    Membership.objects.create(user=administrator, authority=darlington, role=Membership.Role.CHAIR)
    for user, refusal in [
        (administrator, "admin.test is an administrator: only an administrator can change their account"),
        (council_admin_darlington, "You cannot deactivate your own account"),
    ]:
        response = admin_client.post(reverse("authorities:person_deactivate", args=["darlington", user.pk]))
        assert refusal in visible_text(admin_client.get(response["Location"]))
        user.refresh_from_db()
        assert user.is_active
    assert PeopleChange.objects.count() == 0


# The history


def test_every_change_is_in_the_history_with_who_and_what(
    admin_client, council_admin_darlington, officer_darlington
):
    invite(admin_client)
    invitation = Invitation.objects.get()
    admin_client.post(reverse("authorities:invitation_send_again", args=["darlington", invitation.pk]))
    admin_client.post(reverse("authorities:invitation_withdraw", args=["darlington", invitation.pk]))
    admin_client.post(person_url(officer_darlington), {"roles": ["officer", "clerk"]})
    admin_client.post(person_url(officer_darlington), {"roles": ["clerk"]})
    admin_client.post(reverse("authorities:person_deactivate", args=["darlington", officer_darlington.pk]))
    admin_client.post(reverse("authorities:person_reactivate", args=["darlington", officer_darlington.pk]))
    invite(
        admin_client, email="sam@darlington.example.org", name="", roles=["chair", "clerk", "council_admin"]
    )
    Client().post(
        path_of(link_in(mail.outbox[-1])),
        {"name": "Sam Lee", "username": "sam", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    expected = [
        (
            "Sam Lee",
            "Sam Lee accepted the invitation to sam@darlington.example.org: "
            "now LSCB chair, Committee clerk and Council administrator",
        ),
        (
            "admin.test-darlington",
            "Invited sam@darlington.example.org as LSCB chair, Committee clerk and Council administrator",
        ),
        ("admin.test-darlington", "Reactivated officer.test-darlington's account"),
        ("admin.test-darlington", "Deactivated officer.test-darlington's account"),
        ("admin.test-darlington", "Removed the role Council officer from officer.test-darlington"),
        ("admin.test-darlington", "Gave officer.test-darlington the role Committee clerk"),
        ("admin.test-darlington", "Withdrew the invitation to jo.bloggs@darlington.example.org"),
        ("admin.test-darlington", "Sent the invitation to jo.bloggs@darlington.example.org again"),
        ("admin.test-darlington", "Invited jo.bloggs@darlington.example.org as Council officer"),
    ]
    assert history() == expected
    page = visible_text(admin_client.get(people_url()))
    rows = page.split("History of changes", 1)[1]
    for who, what in expected:
        assert f"{who} {what}" in rows
    # The person's own page shows the changes to them.
    person_page = visible_text(admin_client.get(person_url(officer_darlington)))
    assert "Gave officer.test-darlington the role Committee clerk" in person_page
    assert "Invited jo.bloggs" not in person_page


def test_the_history_cannot_be_changed_or_deleted_through_the_models(admin_client):
    invite(admin_client)
    change = PeopleChange.objects.get()
    change.by_name = "Someone else"
    with pytest.raises(PeopleHistoryError):
        change.save()
    with pytest.raises(PeopleHistoryError):
        change.delete()
    with pytest.raises(PeopleHistoryError):
        PeopleChange.objects.update(by_name="Someone else")
    with pytest.raises(PeopleHistoryError):
        PeopleChange.objects.all().delete()
    assert PeopleChange.objects.get().by_name == "admin.test-darlington"


def test_the_database_refuses_to_change_or_delete_the_history(admin_client):
    assert connection.vendor == "postgresql", "the database's own refusal is a PostgreSQL trigger"
    invite(admin_client)
    change = PeopleChange.objects.get()
    for sql in (
        "UPDATE authorities_peoplechange SET by_name = 'Someone else' WHERE id = %s",
        "DELETE FROM authorities_peoplechange WHERE id = %s",
    ):
        refused = pytest.raises(InternalError, match="history of people changes is an audit trail")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [change.pk])
    assert PeopleChange.objects.filter(pk=change.pk, by_name="admin.test-darlington").exists()


def test_the_admin_shows_the_history_read_only(client, administrator, council_admin_darlington):
    client.force_login(council_admin_darlington)
    invite(client)
    client.force_login(administrator)
    change = PeopleChange.objects.get()
    url = reverse("admin:authorities_peoplechange_change", args=[change.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="by_name"' not in page.content
    assert client.post(url, {"by_name": "Rewritten"}).status_code == 403
    assert (
        client.post(
            reverse("admin:authorities_peoplechange_delete", args=[change.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:authorities_peoplechange_add")).status_code == 403
    assert (
        b"token_hash"
        not in client.get(reverse("admin:authorities_invitation_change", args=[change.invitation_id])).content
    )


# The way in


def test_the_people_page_lists_names_roles_and_last_sign_in(
    admin_client, officer_darlington, clerk_darlington, council_admin_darlington
):
    officer_darlington.first_name, officer_darlington.last_name = "Jenni", "Cooke"
    officer_darlington.email = "jenni.cooke@darlington.example.org"
    officer_darlington.last_login = datetime.datetime(2009, 5, 12, 9, 30, tzinfo=datetime.UTC)
    officer_darlington.save()
    Membership.objects.create(
        user=officer_darlington, authority=officer_darlington.memberships.get().authority, role="chair"
    )
    page = visible_text(admin_client.get(people_url()))
    assert "Darlington's people (3)" in page
    assert (
        "Jenni Cooke officer.test-darlington jenni.cooke@darlington.example.org Council officer LSCB chair "
        "12 May 2009, 10:30 Active"  # British Summer Time
    ) in page
    assert "clerk.test-darlington None Committee clerk Never Active" in page
    signed_in = timezone.localtime(User.objects.get(pk=council_admin_darlington.pk).last_login)
    assert f"admin.test-darlington None Council administrator {signed_in:%-d %B %Y, %H:%M} Active" in page
    deactivated = make_user(
        "officer.gone", officer_darlington.memberships.first().authority, "officer", is_active=False
    )
    assert f"{deactivated.username} None Council officer Never Deactivated" in visible_text(
        admin_client.get(people_url())
    )


def test_council_administrators_find_their_people_from_home_and_the_council_page(
    client, council_admin_darlington, officer_darlington, administrator
):
    client.force_login(council_admin_darlington)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{people_url()}"' in home
    assert "Darlington's people" in home
    dashboard = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    assert f'href="{people_url()}"' in dashboard
    assert (
        f'href="{people_url("newcastle")}"'
        not in client.get(reverse("authorities:detail", args=["newcastle"])).content.decode()
    )
    client.force_login(officer_darlington)
    assert f'href="{people_url()}"' not in client.get(reverse("home")).content.decode()
    assert (
        f'href="{people_url()}"'
        not in client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    )
    client.force_login(administrator)
    assert (
        f'href="{people_url("newcastle")}"'
        in client.get(reverse("authorities:detail", args=["newcastle"])).content.decode()
    )


def test_the_people_page_query_count_does_not_grow_with_its_people(
    admin_client, darlington, django_assert_num_queries
):
    for index in range(6):
        make_user(f"officer.{index}", darlington, Membership.Role.OFFICER)
        invite(admin_client, email=f"invitee.{index}@example.org")
    # session, user, memberships of the user with their councils (may they manage its people? the council
    # is among them), the council's memberships with their users, waiting invitations with who sent them,
    # the history with its users
    with django_assert_num_queries(6):
        assert admin_client.get(people_url()).status_code == 200


# Two administrators at once


@pytest.mark.usefixtures("reference_data", "reference_data_put_back")
def test_two_council_administrators_removing_each_other_at_once_leave_the_council_one(monkeypatch):
    """Each on their own would be allowed (the other remains); at the same moment, the council's row
    lock makes the second see the first's change, and refuses it. The check is slowed down so that,
    without the lock, both would pass it before either wrote."""
    check = people._leaves_no_council_administrator

    def slow_check(*args):
        answer = check(*args)
        time.sleep(0.3)
        return answer

    monkeypatch.setattr(people, "_leaves_no_council_administrator", slow_check)
    darlington = Authority.objects.get(slug="darlington")
    for round in range(3):
        first, second = (
            make_user(f"admin.race-{round}-{n}", darlington, Membership.Role.COUNCIL_ADMINISTRATOR)
            for n in (1, 2)
        )
        outcomes = race(
            lambda first=first, second=second: people.change_roles(
                authority=darlington, user=second, roles=["officer"], by=first
            ),
            lambda first=first, second=second: people.change_roles(
                authority=darlington, user=first, roles=["officer"], by=second
            ),
        )
        refused = [error for _, error in outcomes if error is not None]
        assert len(refused) == 1, outcomes
        assert "only council administrator" in str(refused[0])
        assert (
            Membership.objects.filter(
                authority=darlington, role="council_admin", user__in=[first, second]
            ).count()
            == 1
        )
        Membership.objects.filter(authority=darlington, user__in=[first, second]).delete()


@pytest.mark.django_db
@pytest.mark.parametrize("active", [True, False])
def test_an_invitation_to_an_existing_accounts_address_asks_its_owner_to_sign_in_unless_deactivated(
    client, council_admin_darlington, officer_newcastle, active
):
    officer_newcastle.email = "sam.smith@newcastle.example.org"
    officer_newcastle.is_active = active
    officer_newcastle.save()
    client.force_login(council_admin_darlington)
    assert invite(client, email="Sam.Smith@newcastle.example.org").status_code == 302
    (message,) = mail.outbox
    client.logout()
    page = client.get(path_of(link_in(message)))
    text = visible_text(page)
    if active:
        assert "Sign in to accept your invitation" in text
        assert "Your account has been deactivated" not in text
    else:
        assert "Your account has been deactivated" in text
        assert "Sign in to accept your invitation" not in text


def test_an_address_whose_invitation_was_withdrawn_can_be_invited_again(admin_client, invited):
    invitation = Invitation.objects.get()
    admin_client.post(reverse("authorities:invitation_withdraw", args=["darlington", invitation.pk]))
    assert invite(admin_client).status_code == 302
    assert Invitation.objects.filter(email=invitation.email).count() == 2
    assert len(mail.outbox) == 2
    assert Client().get(path_of(link_in(mail.outbox[1]))).status_code == 200
