"""The commands `make run` uses: reference data, demo accounts and settings from the environment."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from authorities.models import Authority, Membership
from recommendations.models import Recommendation
from responses.models import LocalResponse, Status

ROOT = Path(__file__).resolve().parent.parent


def sign_in_request():
    """Sign-in throttling (django-axes) needs the request a password arrives with."""
    return RequestFactory().post("/accounts/login/")


def test_demo_accounts_are_refused_unless_their_own_switch_is_set(db, settings):
    settings.DEBUG = True
    settings.DEMO_ACCOUNTS = False
    with pytest.raises(CommandError, match="only created when DEMO_ACCOUNTS=1 is set"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.filter(username__startswith="officer.").exists()


def test_demo_accounts_give_every_council_an_officer_chair_clerk_and_administrator(db, settings):
    settings.DEMO_ACCOUNTS = True
    call_command("create_demo_accounts", stdout=StringIO())
    roles = {"officer": "officer", "chair": "chair", "clerk": "clerk", "admin": "council_admin"}
    for authority in Authority.objects.all():
        for prefix, role in roles.items():
            username = f"{prefix}.{authority.slug}"
            user = authenticate(sign_in_request(), username=username, password="laming-demo-2009")
            assert user is not None
            assert user.email == f"{username}@example.org"
            assert not user.is_staff
            assert [(m.authority, m.role) for m in user.memberships.all()] == [(authority, role)]
    admin = authenticate(sign_in_request(), username="admin", password="laming-demo-2009")
    assert admin.is_superuser
    assert admin.email == "admin@example.org"
    assert Membership.objects.filter(user=admin, role=Membership.Role.ADMINISTRATOR, authority=None).exists()


def test_demo_accounts_can_be_created_twice(db, settings):
    settings.DEMO_ACCOUNTS = True
    call_command("create_demo_accounts", stdout=StringIO())
    call_command("create_demo_accounts", stdout=StringIO())
    assert get_user_model().objects.filter(username="officer.darlington").count() == 1


def test_loading_reference_data_again_keeps_what_officers_recorded(db):
    response = LocalResponse.objects.filter(authority__slug="central-bedfordshire").first()
    response.status = Status.COMPLETE
    response.save()
    call_command("load_reference", stdout=StringIO())
    response.refresh_from_db()
    assert response.status == Status.COMPLETE
    assert Recommendation.objects.count() == 58


SETTINGS_FROM_ENV = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DEMO_ACCOUNTS", "SECURE_COOKIES"}


def run_settings(env, expression="s.DATABASES['default']['ENGINE']"):
    """Import the settings in a fresh interpreter with exactly this environment; print the expression."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_FROM_ENV}
    return subprocess.run(
        [sys.executable, "-c", f"import laming.settings as s; print({expression})"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = run_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_settings_default_to_sqlite_and_follow_database_url():
    assert run_settings({"DEBUG": "1"}).stdout.strip() == "django.db.backends.sqlite3"
    result = run_settings({"SECRET_KEY": "x", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/laming"})
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_production_settings_allow_no_demo_accounts_and_send_cookies_only_over_https():
    cookies = "s.DEMO_ACCOUNTS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE"
    assert run_settings({"SECRET_KEY": "x"}, cookies).stdout.split() == ["False", "True", "True"]
    # What `make run` sets, to sign in over http://127.0.0.1 with DEBUG off.
    local = {"SECRET_KEY": "x", "DEMO_ACCOUNTS": "1", "SECURE_COOKIES": "0"}
    assert run_settings(local, cookies).stdout.split() == ["True", "False", "False"]


def test_settings_refuse_a_negative_number_of_trusted_proxies():
    # -1 would read an X-Forwarded-For entry the client wrote, letting it pick its sign-in address.
    result = run_settings({"DEBUG": "1", "TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT is the number of proxies in front: 0 or more." in result.stderr
