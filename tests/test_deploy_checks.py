"""The README's production settings pass Django's deployment checks, and are read from the environment
as the README says. Each runs Django in a fresh process, as the server would start."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

# The README's production settings (only the name of the database matters: nothing here connects).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.gov.uk",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/laming",
}


def django(*args, **environment):
    """Run `python -m django ARGS` with only these settings in the environment."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "laming.settings",
        **PRODUCTION,
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_nothing_with_the_readmes_production_settings():
    result = django("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_warn_without_them():
    """The control: the same check run with a weak key does warn, so the test above can fail."""
    result = django("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="too-short")
    assert result.returncode == 1
    assert "security.W009" in result.stderr


SHOW = (
    "from django.conf import settings as s; "
    "print(s.ADMINS, s.TRUSTED_PROXY_COUNT, s.EMAIL_USE_TLS, s.EMAIL_PORT)"
)


def test_admins_proxies_and_mail_are_read_from_the_environment():
    result = django(
        "shell",
        "--no-imports",
        "-c",
        SHOW,
        ADMINS="Jo Bloggs <jo.bloggs@example.gov.uk>, support@example.gov.uk",
        TRUSTED_PROXY_COUNT="1",
        EMAIL_USE_TLS="1",
        EMAIL_PORT="587",
    )
    assert result.returncode == 0, result.stderr
    expected = [("Jo Bloggs", "jo.bloggs@example.gov.uk"), ("", "support@example.gov.uk")]
    assert result.stdout.strip() == f"{expected} 1 True 587"


def test_by_default_nobody_is_mailed_and_forwarded_for_is_ignored():
    result = django("shell", "--no-imports", "-c", SHOW)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] 0 False 25"
