"""Failed sign-ins behind reverse proxies: counted at the client's own address, which it cannot choose.

Every request reaches the app from the proxy (REMOTE_ADDR); each trusted proxy appends the address
it was connected from to X-Forwarded-For. laming/proxies.py reads the client from TRUSTED_PROXY_COUNT.
"""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from .test_sign_in import PASSWORD

PROXY = "10.0.0.5"
CLIENT_A = "198.51.100.23"
CLIENT_B = "198.51.100.57"
FAILURE_LIMIT = 5


def sign_in(username, password, *, forwarded_for=None, remote_addr=PROXY):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**headers).post(reverse("login"), {"username": username, "password": password})


def lock_out(username, **where):
    for attempt in range(1, FAILURE_LIMIT + 1):
        expected = 429 if attempt == FAILURE_LIMIT else 200
        assert sign_in(username, "wrong-password", **where).status_code == expected


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_two_people_behind_one_proxy_do_not_lock_each_other_out(one_proxy, officer_darlington):
    user = officer_darlington.username
    lock_out(user, forwarded_for=CLIENT_A)
    assert sign_in(user, PASSWORD, forwarded_for=CLIENT_A).status_code == 429

    assert sign_in(user, PASSWORD, forwarded_for=CLIENT_B).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]


def test_a_client_cannot_pick_its_address_by_sending_its_own_forwarded_for(one_proxy, officer_darlington):
    user = officer_darlington.username
    # The proxy appends the address it saw, so a forged header arrives with the real address last.
    lock_out(user, forwarded_for=f"1.2.3.4, {CLIENT_A}")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]

    for forged in ("5.6.7.8", CLIENT_B, '"', "unknown", f"{CLIENT_B}, 9.9.9.9"):
        response = sign_in(user, PASSWORD, forwarded_for=f"{forged}, {CLIENT_A}")
        assert response.status_code == 429, forged


def test_with_two_proxies_the_client_is_second_from_the_right(settings, officer_darlington):
    settings.TRUSTED_PROXY_COUNT = 2
    cdn = "203.0.113.80"
    user = officer_darlington.username
    lock_out(user, forwarded_for=f"1.2.3.4, {CLIENT_A}, {cdn}")
    assert sign_in(user, PASSWORD, forwarded_for=f"{CLIENT_B}, {CLIENT_A}, {cdn}").status_code == 429
    assert sign_in(user, PASSWORD, forwarded_for=f"{CLIENT_B}, {cdn}").status_code == 302


def test_without_trusted_proxies_forwarded_for_is_ignored(settings, officer_darlington):
    settings.TRUSTED_PROXY_COUNT = 0
    user = officer_darlington.username
    # A different X-Forwarded-For on each attempt: all five still count at the connection's address.
    for attempt in range(1, FAILURE_LIMIT + 1):
        response = sign_in(
            user, "wrong-password", forwarded_for=f"198.51.100.{attempt}", remote_addr=CLIENT_A
        )
        assert response.status_code == (429 if attempt == FAILURE_LIMIT else 200)
    assert sign_in(user, PASSWORD, forwarded_for=CLIENT_B, remote_addr=CLIENT_A).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]

    assert sign_in(user, PASSWORD, remote_addr=CLIENT_B).status_code == 302


def test_a_request_sent_straight_to_the_app_is_counted_at_its_connection(one_proxy, officer_darlington):
    """No X-Forwarded-For at all (a probe that did not come through the proxy)."""
    lock_out(officer_darlington.username, remote_addr=CLIENT_A)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT_A]
