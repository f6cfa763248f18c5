"""Does a light page stay quick while PDFs render? A light page's median, idle and with 8 renders queued.

    make benchmark-render               # or: .venv/bin/python benchmarks/render_load.py [--samples 40]

It builds its own database, BENCHMARK_RENDER_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_render_bench), from the reference data; it never reads
DATABASE_URL. Then it serves the app as production does (`scripts/serve`: gunicorn from
gunicorn.conf.py, 2 processes of 4 threads, and one background worker, with static files collected)
on a free port on 127.0.0.1, and signs in over HTTP as an administrator.

It times /authorities/ over loopback: --samples requests with nothing else happening, then one
after another for as long as 8 PDFs are being prepared (the 4 councils' Cabinet reports as they
stand and a draft report of each), whose 8 clients follow Retry-After as browsers do. It prints both
medians, their ratio (loaded / idle), and how long the 8 renders took. Before PDFs moved to the
worker, the same page went from a 21 ms median to 315 ms while 12 people downloaded drafts
rendered in the web request.
"""

import argparse
import datetime
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django, rebuild_database, serve  # noqa: E402

configure_django("BENCHMARK_RENDER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/laming_render_bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.urls import reverse  # noqa: E402

from authorities.models import Authority, Meeting, Membership, PdfJob  # noqa: E402
from responses.cabinet import services  # noqa: E402

PASSWORD = "benchmark-only-password"
LIGHT_PAGE = "/authorities/"
RENDER_DEADLINE_SECONDS = 600


class Browser:
    """Just enough of a browser: keeps cookies and posts the sign-in form with its CSRF token."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path):
        try:
            with self.opener.open(self.base_url + path, timeout=60) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def sign_in(self, username):
        _, _, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())[1]
        data = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        with self.opener.open(self.base_url + "/accounts/login/", urlencode(data).encode()) as answer:
            assert "Sign out" in answer.read().decode(), f"{username} could not sign in"
        return self

    def timed_get(self, path):
        started = time.perf_counter()
        status, _, _ = self.get(path)
        elapsed = time.perf_counter() - started
        assert status == 200, f"{path} answered {status}"
        return elapsed

    def fetch_pdf(self, path):
        """Follow Retry-After until the PDF comes, as the waiting page does."""
        deadline = time.monotonic() + RENDER_DEADLINE_SECONDS
        while True:
            status, headers, body = self.get(path)
            if status == 200:
                assert body.startswith(b"%PDF-"), f"{path} did not answer a PDF"
                return
            assert status == 202, f"{path} answered {status}"
            assert time.monotonic() < deadline, f"{path} was not ready in {RENDER_DEADLINE_SECONDS} s"
            time.sleep(float(headers["Retry-After"]))


def prepare_data():
    """An administrator (who may prepare every council's papers) and a draft report for each council."""
    administrator = get_user_model().objects.create_user(
        username="admin.benchmark", password=PASSWORD, is_staff=True, is_superuser=True
    )
    Membership.objects.create(user=administrator, role=Membership.Role.ADMINISTRATOR)
    urls = []
    for authority in Authority.objects.order_by("name"):
        report = services.create_report(
            authority=authority,
            by=administrator,
            title=f"Laming: progress in {authority.short_name}",
            new_meeting_kind=Meeting.Kind.CABINET,
            new_meeting_date=datetime.date(2009, 7, 21),
        )
        urls.append(reverse("authorities:cabinet_report_pdf", args=[authority.slug]))
        urls.append(reverse("authorities:report_pdf", args=[authority.slug, report.pk]))
    return administrator.username, urls


def summary(timings):
    timings = sorted(timings)
    p90 = timings[int(0.9 * (len(timings) - 1))]
    return statistics.median(timings), p90, timings[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40, help="idle requests to time (default 40)")
    args = parser.parse_args()

    print(f"Building {settings.DATABASES['default']['NAME']} ...", flush=True)
    rebuild_database()
    username, urls = prepare_data()

    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "serve.log", "w") as log:
        process, base_url = serve(Path(folder) / "static", log, pdf_workers=1)
        try:
            browser = Browser(base_url).sign_in(username)
            for _ in range(5):  # warm up: each gunicorn process loads its templates and connects
                browser.timed_get(LIGHT_PAGE)
            idle = [browser.timed_get(LIGHT_PAGE) for _ in range(args.samples)]

            # 8 people ask for 8 different PDFs at once and wait for them, following Retry-After.
            clients = [Browser(base_url).sign_in(username) for _ in urls]
            started = time.perf_counter()
            waiting = [
                threading.Thread(target=client.fetch_pdf, args=(url,))
                for client, url in zip(clients, urls, strict=True)
            ]
            for thread in waiting:
                thread.start()
            loaded = []
            while any(thread.is_alive() for thread in waiting):
                loaded.append(browser.timed_get(LIGHT_PAGE))
            for thread in waiting:
                thread.join()
            all_ready = time.perf_counter() - started
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=90)

    jobs = list(PdfJob.objects.order_by("created_at"))
    assert len(jobs) == len(urls) and all(job.state == PdfJob.State.READY for job in jobs), jobs
    rendering = max(job.finished_at for job in jobs) - min(job.created_at for job in jobs)
    each = statistics.median((job.finished_at - job.started_at).total_seconds() for job in jobs)
    pages = sum(job.page_count for job in jobs)

    idle_median, idle_p90, idle_max = summary(idle)
    loaded_median, loaded_p90, loaded_max = summary(loaded)
    print(f"light page  {LIGHT_PAGE} over http to gunicorn (2 processes x 4 threads), one worker")
    print(
        f"idle        median {idle_median * 1000:6.1f} ms  p90 {idle_p90 * 1000:6.1f} ms"
        f"  max {idle_max * 1000:7.1f} ms  ({len(idle)} requests)"
    )
    print(
        f"loaded      median {loaded_median * 1000:6.1f} ms  p90 {loaded_p90 * 1000:6.1f} ms"
        f"  max {loaded_max * 1000:7.1f} ms  ({len(loaded)} requests while {len(urls)} PDFs rendered)"
    )
    print(f"ratio       {loaded_median / idle_median:6.2f}     (loaded median / idle median)")
    print(
        f"renders     {len(jobs)} PDFs, {pages} pages: all rendered {rendering.total_seconds():.1f} s after "
        f"the first was asked for ({each:.1f} s each, median); every client had its PDF after "
        f"{all_ready:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
