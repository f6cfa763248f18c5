"""Serving as production does: scripts/serve (gunicorn and a worker), WhiteNoise, DEBUG off.

The server runs in its own processes on a temporary SQLite database, with static files collected
into a temporary folder, as `make run` and a deploy do. Every stylesheet and script a page links
must answer, with a far-future cache header, or the pages are unstyled and GOV.UK's JavaScript
does not run.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "serving-test-password-2009"
A_YEAR = 365 * 24 * 60 * 60


class LinkedFiles(HTMLParser):
    """The stylesheets, icons and scripts a page links, and its sign-in form's CSRF token."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.csrf_token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.csrf_token = attrs["value"]


def linked_files(html):
    parser = LinkedFiles()
    parser.feed(html)
    return parser


def imported_modules(javascript):
    """The paths a JavaScript module imports (`import ... from "path"`)."""
    return re.findall(r"""\bfrom\s*["']([./][^"']*)["']""", javascript)


class Browser:
    """Just enough of a browser: keeps cookies (not Secure ones over http, as browsers do)."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path, **headers):
        return self._open(urllib.request.Request(urljoin(self.base_url, path), headers=headers))

    def post(self, path, data):
        body = urlencode(data).encode()
        return self._open(urllib.request.Request(urljoin(self.base_url, path), data=body))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def sign_in(self, username, password):
        _, _, page = self.get("/accounts/login/")
        token = linked_files(page.decode()).csrf_token
        self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"},
        )


def assert_every_linked_file_is_served_for_a_year(browser, html):
    """Every <link href> and <script src> answers 200 with a far-future, immutable cache header,
    and so does every module a linked script imports."""
    urls = [url for url in linked_files(html).urls if url.startswith("/static/")]
    assert urls, "the page links no static files"
    checked = set()
    while urls:
        url = urls.pop()
        if url in checked:
            continue
        checked.add(url)
        status, headers, body = browser.get(url)
        assert status == 200, f"{url} answered {status}"
        cache = headers.get("Cache-Control", "")
        max_age = re.search(r"max-age=(\d+)", cache)
        assert max_age and int(max_age[1]) >= A_YEAR and "immutable" in cache, (
            f"{url} is not cached as a hashed file: {cache!r}"
        )
        if url.endswith(".js"):
            urls.extend(urljoin(url, path) for path in imported_modules(body.decode()))
    return checked


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port):
    """Whether something listens on the port. It is asked a whole request and read to the end: a
    connection opened and left without one would keep a gunicorn worker waiting for it when told to
    stop (graceful_timeout, 30 s)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as probe:
            probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            while probe.recv(4096):
                pass
            return True
    except OSError:
        return False


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A migrated SQLite database with the reference data and one user, and collected static files."""
    folder = tmp_path_factory.mktemp("serving")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STATIC_ROOT"}},
        "DEBUG": "0",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "PYTHON": sys.executable,
        "PDF_WORKERS": "1",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    # The admin's own files are left out: compressing them takes 10 s or more, and the pages link none.
    collectstatic = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--ignore", "admin"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "createsuperuser", "--noinput", "--username", "serving.admin", "--email", "a@example.org")
    _, errors = collectstatic.communicate(timeout=120)
    assert collectstatic.returncode == 0, errors
    return env


def start_serving(env):
    """scripts/serve on a free port, once gunicorn answers there; its output goes to serve-PORT.log."""
    port = free_port()
    log = Path(env["STATIC_ROOT"]).parent / f"serve-{port}.log"
    with log.open("w") as output:
        serve = subprocess.Popen(
            ["bash", "scripts/serve"], cwd=ROOT, env={**env, "PORT": str(port)}, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 15
        while not answers(port):
            assert serve.poll() is None, f"scripts/serve stopped while starting:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn did not start listening:\n{log.read_text()}"
            time.sleep(0.1)
    except AssertionError:
        stop_serving(serve)
        raise
    return serve, port


def stop_serving(serve):
    if serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=70)


@pytest.fixture(scope="module")
def server(environment):
    serve, port = start_serving(environment)
    yield f"http://127.0.0.1:{port}"
    stop_serving(serve)
    assert serve.returncode == 0, "scripts/serve did not stop cleanly when asked"
    assert not answers(port)


def test_every_stylesheet_and_script_of_the_sign_in_page_is_served(server):
    browser = Browser(server)
    status, _, page = browser.get("/accounts/login/")
    assert status == 200
    served = assert_every_linked_file_is_served_for_a_year(browser, page.decode())
    assert any(re.fullmatch(r"/static/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css", url) for url in served)


def test_every_stylesheet_and_script_of_a_signed_in_page_is_served(server):
    browser = Browser(server)
    browser.sign_in("serving.admin", PASSWORD)
    status, _, page = browser.get("/recommendations/")
    assert status == 200
    assert "Sign out" in page.decode(), "not signed in: the session cookie did not come back over http"
    served = assert_every_linked_file_is_served_for_a_year(browser, page.decode())
    # init.js imports GOV.UK Frontend by its hashed name, the same file base.html loads, so the
    # browser runs one copy of it, cached for a year.
    assert len([url for url in served if "govuk-frontend.min" in url and url.endswith(".js")]) == 1


def test_static_files_are_served_compressed(server):
    browser = Browser(server)
    _, _, page = browser.get("/accounts/login/")
    stylesheet = next(url for url in linked_files(page.decode()).urls if "govuk-frontend" in url)
    status, headers, _ = browser.get(stylesheet, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"


def test_a_mistyped_address_shows_the_page_not_found_page(server):
    status, _, page = Browser(server).get("/recomendations/")
    assert status == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page.decode()
    assert "URLconf" not in page.decode()


def test_when_the_worker_stops_the_web_server_is_stopped_too(environment):
    serve, port = start_serving(environment)
    try:
        children = Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()
        worker = next(pid for pid in children if b"db_worker" in Path(f"/proc/{pid}/cmdline").read_bytes())
        os.kill(int(worker), signal.SIGKILL)
        assert serve.wait(timeout=45) != 0
        assert not answers(port)
    finally:
        stop_serving(serve)


def test_a_worker_that_has_run_its_share_of_jobs_is_replaced_by_a_fresh_one(environment):
    """WeasyPrint's memory is given back by starting each worker afresh after WORKER_MAX_TASKS jobs."""
    queue = (
        "from authorities.tasks import render_pdf\n"
        "for _ in range(3): render_pdf.enqueue(0)\n"  # no such job: each task runs and does nothing
    )
    manage(environment, "shell", "-c", queue)
    serve, _ = start_serving({**environment, "WORKER_MAX_TASKS": "1"})
    try:
        count = "from django_tasks_db.models import DBTaskResult as R; print(R.objects.successful().count())"
        deadline = time.monotonic() + 30
        while True:
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", count],
                cwd=ROOT,
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[-1]
            if done == "3" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert done == "3"  # three worker processes in turn, one job each
        assert serve.poll() is None  # a worker leaving after its share is not a failure
    finally:
        stop_serving(serve)
    assert serve.returncode == 0
