"""Shared test set-up: the reference data, and named personas who use the tracker."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from authorities.models import Authority, Membership
from recommendations.models import Recommendation


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT does not exist: the tests run without collectstatic (below).
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(scope="session", autouse=True)
def storages_for_tests(tmp_path_factory):
    """Static files by their plain names, and evidence documents in a folder of the run's own.

    Pages name static files as they are in static/, so tests need no collectstatic first. Production's
    storage looks every name up in the manifest collectstatic writes, and with DEBUG off (as the tests
    run) a page naming an uncollected file fails. tests/test_serving.py checks that storage: it runs
    collectstatic and fetches every file a page links through gunicorn.

    Evidence documents go to a temporary folder, never the project's var/evidence.
    """
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    evidence = settings.STORAGES["evidence"]
    location = str(tmp_path_factory.mktemp("evidence"))
    evidence = {**evidence, "OPTIONS": {**evidence["OPTIONS"], "location": location}}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain, "evidence": evidence}):
        yield


@pytest.fixture(scope="session", autouse=True)
def quick_passwords():
    """Hash the personas' passwords with MD5: PBKDF2 takes ~0.2 s a password, on purpose, and the
    suite makes hundreds. Signing in still checks the password (tests/test_sign_in.py); servers
    started in other processes hash as production does (tests/test_scale_out.py)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database, as `make run` does.

    With --reuse-db the database of the last run is kept, reference data and all (each test's own
    changes are rolled back or flushed and reloaded): loading it again would rewrite rows that the
    database's triggers keep final (the audit trail, published decisions). After changing a migration
    or the fixture, run once with --create-db.
    """
    with django_db_blocker.unblock():
        load_reference_data_if_flushed()


def load_reference_data_if_flushed():
    """A transactional test (transaction=True) commits for real and ends by emptying every table:
    such tests load the reference data themselves when it is gone."""
    if Recommendation.objects.count() == 0:
        call_command("loaddata", "reference", verbosity=0)


@pytest.fixture(scope="module")
def reference_data_put_back(django_db_blocker):
    """Leave the database as django_db_setup made it, for whatever runs after a module of transactional
    tests. pytest-django runs those after the others, but a test that reaches the database only through
    request.getfixturevalue() is not known to need it and runs later still; module scope makes this
    teardown run after the last test's flush. Modules use it with
    pytest.mark.usefixtures("reference_data_put_back")."""
    yield
    with django_db_blocker.unblock():
        load_reference_data_if_flushed()


def make_user(username, authority=None, role=None, **flags):
    user = get_user_model().objects.create_user(username=username, password="correct-horse-battery", **flags)
    if role:
        Membership.objects.create(user=user, authority=authority, role=role)
    return user


@pytest.fixture
def darlington(db):
    return Authority.objects.get(slug="darlington")


@pytest.fixture
def newcastle(db):
    return Authority.objects.get(slug="newcastle")


@pytest.fixture
def officer_darlington(darlington):
    return make_user("officer.test-darlington", darlington, Membership.Role.OFFICER)


@pytest.fixture
def officer_newcastle(newcastle):
    return make_user("officer.test-newcastle", newcastle, Membership.Role.OFFICER)


@pytest.fixture
def chair_darlington(darlington):
    return make_user("chair.test-darlington", darlington, Membership.Role.CHAIR)


@pytest.fixture
def clerk_darlington(darlington):
    return make_user("clerk.test-darlington", darlington, Membership.Role.CLERK)


@pytest.fixture
def council_admin_darlington(darlington):
    """Manages Darlington's people, and holds no other role there."""
    return make_user("admin.test-darlington", darlington, Membership.Role.COUNCIL_ADMINISTRATOR)


@pytest.fixture
def administrator(db):
    return make_user("admin.test", None, Membership.Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def administrator_not_superuser(db):
    """An administrator by membership alone: staff, so the admin site lets them sign in, but not a
    superuser. The app's own pages must treat them as `administrator`; the admin site grants them only
    the Django permissions they are given (none here)."""
    return make_user("admin.membership-only", None, Membership.Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role at any council."""
    return make_user("outsider.test")


@pytest.fixture
def clerk_client(client, clerk_darlington):
    client.force_login(clerk_darlington)
    return client


@pytest.fixture
def officer_client(client, officer_darlington):
    client.force_login(officer_darlington)
    return client
