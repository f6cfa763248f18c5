"""Scale-out: two web servers and two workers sharing one PostgreSQL database, as a council running
the tracker on more than one machine would.

Two gunicorn servers (each on its own port) and two `manage.py db_worker` processes run on loopback
against the test database, with production's settings and static files collected as a deploy does.
People sign in over HTTP, as a browser does, and the test shows:
- saves of one response through both servers keep every update: none lost, none written twice;
- a PDF asked for through both servers at once is rendered once, by one worker;
- a report issued through both servers at once is issued once.

The servers see only what is committed, so the test is transactional, and loads the reference data
itself: the flush after a transactional test empties every table.
"""

import datetime
import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import global_settings
from django.db import connection
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from authorities import services as decisions
from authorities.models import Authority, CabinetReport, Meeting, Membership, PdfJob
from authorities.tasks import render_pdf
from responses.cabinet import services
from responses.cabinet.tasks import issue_report
from responses.models import LocalResponse

from .conftest import load_reference_data_if_flushed, make_user

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery"
SAVE_ROUNDS = 10
WORKER_IDS = ("worker-1", "worker-2")
# Long enough for both workers to render every PDF below on a busy 2-core machine.
RENDER_DEADLINE_SECONDS = 120

pytestmark = pytest.mark.usefixtures("reference_data_put_back")


# Processes


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """Static files collected into a folder of the test's own, as `make run` and a deploy do. The
    admin's own are left out, as in tests/test_serving.py: compressing them takes seconds, and no page
    the test opens links one."""
    folder = tmp_path_factory.mktemp("scale-out-static")
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only", "STATIC_ROOT": str(folder)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0", "--ignore", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return folder


class Processes:
    """Servers and workers started for a test; `stop()` ends every one of them."""

    def __init__(self, env, logs):
        self.env = env
        self.logs = logs
        self.running = []

    def start(self, name, *args):
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed in stop())
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append((name, process, log))
        return process

    def server(self, name):
        port = free_port()
        process = self.start(
            name,
            sys.executable,
            "-m",
            "gunicorn",
            "laming.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        )
        return process, f"http://127.0.0.1:{port}"

    def worker(self, worker_id):
        return self.start(
            worker_id,
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--worker-id",
            worker_id,
        )

    def log(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self):
        for _, process, _ in self.running:
            process.terminate()
        for _, process, log in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_until_answering(processes, name, process, base_url):
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"{name} stopped while starting:\n{processes.log(name)}"
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"{name} did not answer /healthz:\n{processes.log(name)}"
        time.sleep(0.1)


@pytest.fixture
def production_password_hashing(settings):
    """The servers are processes of their own and check passwords with production's hashers, so the
    users made here are hashed with them too (tests/conftest.py makes the rest quick)."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def cluster(transactional_db, collected_static, tmp_path, production_password_hashing):
    """Two web servers and two workers on the test database: the two servers' base URLs."""
    assert connection.vendor == "postgresql", "the scale-out test must run on PostgreSQL"
    load_reference_data_if_flushed()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STATIC_ROOT"}},
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on loopback: let the session and CSRF cookies travel over it.
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(collected_static),
    }
    processes = Processes(env, tmp_path)
    try:
        servers = {name: processes.server(name) for name in ("server-1", "server-2")}
        for worker_id in WORKER_IDS:
            processes.worker(worker_id)
        for name, (process, base_url) in servers.items():
            wait_until_answering(processes, name, process, base_url)
        yield [base_url for _, base_url in servers.values()]
        for name, process, _ in processes.running:
            assert process.poll() is None, f"{name} stopped during the test:\n{processes.log(name)}"
    finally:
        processes.stop()


# A browser, just enough of one


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer a test looks at


class Browser:
    """Keeps cookies, posts forms with their CSRF token, and shows redirects rather than following them."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirects()
        )

    def get(self, path):
        return self._open(urllib.request.Request(self.base_url + path))

    def load_form(self, path):
        """The page with a form: its text, and the CSRF token to post back with it."""
        status, _, page = self.get(path)
        assert status == 200, f"{path} answered {status}"
        page = page.decode()
        return page, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

    def post(self, path, data, token):
        body = urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def sign_in(self, username):
        _, token = self.load_form("/accounts/login/")
        data = {"username": username, "password": PASSWORD}
        status, headers, _ = self.post("/accounts/login/", data, token)
        assert (status, headers["Location"]) == (302, "/"), f"{username} was not signed in ({status})"
        return self

    def fetch_pdf(self, path):
        """What a client following Retry-After gets: 202 while the PDF is prepared, then the PDF."""
        deadline = time.monotonic() + RENDER_DEADLINE_SECONDS
        while True:
            status, headers, body = self.get(path)
            if status == 200:
                assert headers["Content-Type"] == "application/pdf"
                assert body.startswith(b"%PDF-")
                return body
            assert status == 202, f"{path} answered {status}"
            assert time.monotonic() < deadline, f"{path} was not ready in {RENDER_DEADLINE_SECONDS} s"
            # A browser waits the Retry-After it is given (3 s); the test reads it but asks again
            # sooner, so a PDF the workers (polling every 0.2 s) have ready is fetched without a wait.
            assert float(headers["Retry-After"]) > 0
            time.sleep(0.25)


def at_once(*calls):
    """Run each call in its own thread, released together; what each returned, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = (call(), None)
        except BaseException as error:  # the test looks at it below
            outcomes[index] = (None, error)

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RENDER_DEADLINE_SECONDS + 30)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    for _, raised in outcomes:
        if raised is not None:
            raise raised
    return [returned for returned, _ in outcomes]


# The queue records each task by its module path.
TASK_PATHS = {"render_pdf": render_pdf.module_path, "issue_report": issue_report.module_path}


def task_results(task, job):
    """The queue's records of `task` run for `job`."""
    return [
        result
        for result in DBTaskResult.objects.filter(task_path=TASK_PATHS[task])
        if result.args_kwargs["args"] == [job.pk]
    ]


def renders():
    return DBTaskResult.objects.filter(task_path=TASK_PATHS["render_pdf"])


def assert_ran_once(task, job):
    """The job is done, by exactly one task run, claimed by exactly one worker; that worker."""
    job.refresh_from_db()
    assert job.state == PdfJob.State.READY, f"{job}: {job.error}"
    results = task_results(task, job)
    assert len(results) == 1, f"{job} was queued to the workers {len(results)} times"
    (result,) = results
    assert str(result.id) == job.task_id
    assert result.status == TaskResultStatus.SUCCESSFUL, result.traceback
    assert len(result.worker_ids) == 1 and result.worker_ids[0] in WORKER_IDS, result.worker_ids
    return result.worker_ids[0]


# The test


@pytest.mark.django_db(transaction=True)
def test_two_servers_and_two_workers_lose_no_update_and_run_each_job_once(cluster):
    darlington = Authority.objects.get(slug="darlington")
    officers = [
        make_user(f"officer.scale-{n}-darlington", darlington, Membership.Role.OFFICER) for n in (1, 2)
    ]
    clerks = [make_user(f"clerk.scale-{n}-darlington", darlington, Membership.Role.CLERK) for n in (1, 2)]
    administrator = make_user("admin.scale", None, Membership.Role.ADMINISTRATOR, is_staff=True)

    # (a) Two officers, one on each server, save the same response at the same moment, each posting
    # the version their form was loaded with: every save is either kept or refused with a warning.
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    version_before, updates_before = response.version, set(response.updates.values_list("pk", flat=True))
    edit = reverse("responses:edit", args=["darlington", 51])
    detail = reverse("responses:detail", args=["darlington", 51])
    browsers = [
        Browser(server).sign_in(officer.username) for server, officer in zip(cluster, officers, strict=True)
    ]

    saved_notes, refused = [], 0
    for round_ in range(SAVE_ROUNDS):
        forms = [browser.load_form(edit) for browser in browsers]
        posts = []
        for n, (browser, (form, token)) in enumerate(zip(browsers, forms, strict=True), start=1):
            version = re.search(r'name="version" value="(\d+)"', form)[1]
            note = f"Round {round_}: officer {n}, through server {n}, saving version {version}."
            data = {"text": note, "status": "in_progress", "rag": "amber", "note": note, "version": version}
            posts.append((note, lambda b=browser, d=data, t=token: b.post(edit, d, t)))

        answers = at_once(*[post for _, post in posts])

        for (note, _), (status, headers, page) in zip(posts, answers, strict=True):
            if status == 302:
                assert headers["Location"] == detail
                saved_notes.append(note)
            else:
                assert status == 200, status
                assert "Someone else saved a change to this response" in page.decode()
                assert note in page.decode()  # what they typed is kept for them to save again
                refused += 1
        # Both loaded the same version, so one save is kept and the other refused, every round,
        # and what the response says now is the kept save's.
        assert sorted(status for status, _, _ in answers) == [200, 302]
        assert LocalResponse.objects.get(pk=response.pk).text == saved_notes[-1]

    response.refresh_from_db()
    new_updates = response.updates.exclude(pk__in=updates_before)
    assert sorted(new_updates.values_list("note", flat=True)) == sorted(saved_notes)
    assert response.version == version_before + len(saved_notes)
    print(f"\n(a) {len(saved_notes)} saves kept, {refused} refused as stale, none lost")

    # (b) The same quick draft asked for through both servers at once, four times on each: one
    # job, rendered once by one worker, and every client following Retry-After gets the same PDF.
    url = reverse("authorities:cabinet_report_pdf", args=["darlington"])
    clerk_browsers = [
        Browser(server).sign_in(clerk.username) for server, clerk in zip(cluster, clerks, strict=True)
    ]
    first = at_once(*[lambda b=b: b.get(url) for b in clerk_browsers * 4])
    assert 202 in {status for status, _, _ in first}
    assert all(status in (200, 202) for status, _, _ in first), [status for status, _, _ in first]
    pdfs = at_once(*[lambda b=b: b.fetch_pdf(url) for b in clerk_browsers * 4])
    quick_drafts = PdfJob.objects.filter(kind=PdfJob.Kind.QUICK_DRAFT, subject=f"authority:{darlington.pk}")
    assert quick_drafts.count() == 1, [str(quick_draft) for quick_draft in quick_drafts]
    job = quick_drafts.get()
    assert all(pdf == bytes(job.pdf) for pdf in pdfs)
    assert_ran_once("render_pdf", job)
    # Counted on the queue, which keeps every run: a job rendered twice leaves no second PdfJob
    # (the newer render deletes older ones), but it does leave a second task result.
    assert renders().count() == 1, f"the quick draft was rendered {renders().count()} times"

    # Six more PDFs, each asked for through both servers, all at once: each rendered once.
    # Three long ones (two councils' reports, a draft: 25 pages each) and three decision records.
    report = services.create_report(
        authority=darlington,
        by=clerks[0],
        title="Laming: progress in Darlington, for June",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 6, 16),
    )
    meetings = [
        Meeting.objects.get(authority=darlington, date=datetime.date(2009, 4, 28)),
        report.meeting,
        Meeting.objects.get(authority__slug="stockton-on-tees"),  # its decision is in the seeds
    ]
    for meeting in meetings[:2]:
        decisions.record_decision(
            meeting=meeting,
            by=clerks[0],
            record="Consideration was given to a report on Lord Laming's report.",
            decisions="The report be noted.",
            reasons="To keep Members informed.",
            alternatives_rejected="",
            conflicts_of_interest="",
            dispensations="Not Applicable",
            published_on=meeting.date + datetime.timedelta(days=3),
            call_in_date=meeting.date + datetime.timedelta(days=10),
        )
    urls = [
        reverse("authorities:cabinet_report_pdf", args=["newcastle"]),
        reverse("authorities:cabinet_report_pdf", args=["stockton-on-tees"]),
        reverse("authorities:report_pdf", args=["darlington", report.pk]),
        *[reverse("authorities:decision_pdf", args=[m.authority.slug, m.pk]) for m in meetings],
    ]
    admin_browsers = [Browser(server).sign_in(administrator.username) for server in cluster]
    pdfs = at_once(*[lambda b=b, u=u: b.fetch_pdf(u) for u in urls for b in admin_browsers])
    assert all(pdfs[i] == pdfs[i + 1] for i in range(0, len(pdfs), 2))
    jobs = PdfJob.objects.exclude(pk=job.pk).exclude(kind=PdfJob.Kind.ISSUE)
    assert jobs.count() == len(urls), [str(other) for other in jobs]
    assert renders().count() == 1 + len(urls), f"{renders().count()} renders of {1 + len(urls)} PDFs"
    taken_by = Counter(assert_ran_once("render_pdf", other) for other in jobs)
    print(f"(b) one job for 8 simultaneous requests; 6 more jobs taken by {dict(sorted(taken_by.items()))}")

    # (c) A clerk on each server issues the same draft at the same moment: it is issued once.
    draft = services.create_report(
        authority=darlington,
        by=clerks[0],
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, 21),
    )
    page = draft.get_absolute_url()
    issue = reverse("authorities:report_issue", args=["darlington", draft.pk])
    tokens = [browser.load_form(page)[1] for browser in clerk_browsers]
    answers = at_once(
        *[
            lambda b=b, t=t: b.post(issue, {"version": draft.version}, t)
            for b, t in zip(clerk_browsers, tokens, strict=True)
        ]
    )
    assert [(status, headers["Location"]) for status, headers, _ in answers] == [(302, page)] * 2
    issue_jobs = PdfJob.objects.filter(kind=PdfJob.Kind.ISSUE, report=draft)
    issues = DBTaskResult.objects.filter(task_path=TASK_PATHS["issue_report"])
    deadline = time.monotonic() + RENDER_DEADLINE_SECONDS
    while (
        issue_jobs.filter(state__in=(PdfJob.State.QUEUED, PdfJob.State.RUNNING)).exists()
        or issues.filter(status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)).exists()
    ):
        assert time.monotonic() < deadline, "the report was not issued in time"
        time.sleep(0.2)
    assert issue_jobs.count() == 1, [str(issue_job) for issue_job in issue_jobs]
    assert issues.count() == 1, f"the issue was queued to the workers {issues.count()} times"
    worker = assert_ran_once("issue_report", issue_jobs.get())
    (issued,) = CabinetReport.objects.issued()
    assert issued.pk == draft.pk and issued.issued_by in clerks
    downloads = [
        browser.get(reverse("authorities:report_pdf", args=["darlington", draft.pk]))
        for browser in clerk_browsers
    ]
    assert [status for status, _, _ in downloads] == [200, 200]
    assert downloads[0][2] == downloads[1][2] == bytes(issued.pdf)
    assert hashlib.sha256(downloads[0][2]).hexdigest() == issued.pdf_sha256
    print(f"(c) issued once, by {worker}")
