"""Security headers: the Content-Security-Policy every page keeps to, Permissions-Policy, and no
browser caching of anything a signed-in user was shown (council PCs are shared)."""

from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from laming.middleware import NoStoreForSignedInUsersMiddleware

SIGNED_IN_PAGES = {
    "home": reverse("home"),
    "dashboard": reverse("responses:comparison"),
    "a council page": reverse("authorities:detail", args=["darlington"]),
    "a recommendation": reverse("recommendations:detail", args=[51]),
    "a council's response": reverse("responses:detail", args=["darlington", 51]),
    "an edit page": reverse("responses:edit", args=["darlington", 51]),
    "a missing page": "/no-such-page/",
}
EXPORTS = {
    "a council's CSV": reverse("responses:council_export", args=["darlington", "csv"]),
    "a council's Excel": reverse("responses:council_export", args=["darlington", "xlsx"]),
    "the filtered CSV": reverse("responses:export", args=["csv"]),
}


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


class ScriptsAndInlineAttributes(HTMLParser):
    """Every <script> (its attributes and whether it has code of its own), and every attribute a
    Content-Security-Policy without 'unsafe-inline' blocks: style="..." and on...="..." handlers."""

    def __init__(self):
        super().__init__()
        self.scripts = []
        self.inline_attributes = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.inline_attributes.append(f"<{tag} {name}=...>")
        if tag == "script":
            self._in_script = {"attrs": attrs, "code": ""}
            self.scripts.append(self._in_script)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["code"] += data


def parse(response):
    parser = ScriptsAndInlineAttributes()
    parser.feed(response.content.decode())
    return parser


def assert_every_script_keeps_to_the_policy(response):
    directives = policy(response)
    nonces = [source for source in directives["script-src"] if source.startswith("'nonce-")]
    page = parse(response)
    assert page.inline_attributes == []
    for script in page.scripts:
        if script["code"].strip():
            assert nonces == [f"'nonce-{script['attrs'].get('nonce')}'"], "an inline script without the nonce"
        else:
            assert script["attrs"]["src"].startswith("/static/"), "a script from somewhere else"


@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_every_signed_in_page_sends_the_policy_and_its_scripts_keep_to_it(officer_client, page):
    response = officer_client.get(SIGNED_IN_PAGES[page])
    assert response.status_code == (404 if page == "a missing page" else 200)
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert_every_script_keeps_to_the_policy(response)


def test_the_inline_script_carries_the_nonce_in_the_header_and_it_changes_every_request(officer_client):
    first, second = (officer_client.get(reverse("home")) for _ in range(2))
    nonces = []
    for response in (first, second):
        (inline,) = [script for script in parse(response).scripts if script["code"].strip()]
        assert "js-enabled" in inline["code"]
        assert f"'nonce-{inline['attrs']['nonce']}'" in policy(response)["script-src"]
        nonces.append(inline["attrs"]["nonce"])
    assert nonces[0] != nonces[1]


def test_the_sign_in_page_keeps_to_the_policy_and_is_not_cached(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_every_script_keeps_to_the_policy(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("page", SIGNED_IN_PAGES)
def test_signed_in_pages_are_not_kept_in_the_browser_cache(officer_client, page):
    response = officer_client.get(SIGNED_IN_PAGES[page])
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_are_not_kept_in_the_browser_cache(officer_client, export):
    response = officer_client.get(EXPORTS[export])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_response_that_chose_its_own_caching_keeps_it(officer_darlington):
    """An issued report's PDF never changes, so its view sends `private, max-age=3600` and an ETag."""

    def issued_pdf(request):
        response = HttpResponse(b"%PDF-", content_type="application/pdf")
        response["Cache-Control"] = "private, max-age=3600"
        return response

    request = RequestFactory().get("/authorities/darlington/reports/1/report.pdf")
    request.user = officer_darlington
    response = NoStoreForSignedInUsersMiddleware(issued_pdf)(request)
    assert response["Cache-Control"] == "private, max-age=3600"


def test_pages_deny_the_browser_features_the_tracker_does_not_use(officer_client):
    denied = {
        feature.split("=")[0]
        for feature in officer_client.get(reverse("home"))["Permissions-Policy"].split(", ")
        if feature.endswith("=()")
    }
    assert denied >= {"camera", "microphone", "geolocation", "payment", "usb"}


def test_the_sign_in_page_denies_them_too(client, db):
    assert "camera=()" in client.get(reverse("login"))["Permissions-Policy"]
