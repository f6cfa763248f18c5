"""Saves per second: 8 officers editing Darlington's responses at once, through gunicorn as in production.

    make benchmark                                      # pages, then this
    .venv/bin/python benchmarks/saves.py [--seconds 20] [--clients 8]

It runs on a copy of the 152-council data set (benchmarks/national_data.py builds it if need be):
laming_bench_saves, made with CREATE DATABASE ... TEMPLATE laming_bench_152 (names from
BENCHMARK_DATABASE_URL, as for the pages) and dropped at the end, so the audit trail the saves append
never reaches the data set the page timings run on. It never reads DATABASE_URL. The copy needs nobody
connected to laming_bench_152 while it is made.

It serves the app as production does (`scripts/serve`: gunicorn from gunicorn.conf.py, 2 processes of
4 threads, DEBUG off, CONN_MAX_AGE as the environment gives it; no PDF worker) on a free port on
127.0.0.1. Each client is a Darlington officer made for the run, signed in through the sign-in page
with a password, on one kept-alive connection (http.client: the cheapest client in CPU, and no
dependency). Each does what a browser does, again and again: GET the response's edit page, read the
form (the CSRF token and the hidden version among it), change the status and write a unique progress
note, POST it. It does not follow the redirect to the response's page after a save.

Two runs of --seconds each. "distinct": each client its own share of Darlington's 74 responses, in
turn. "hot": all on recommendation 51, so most posts meet the "someone else saved" page: a conflict,
counted as such. An error is any other answer (a 5xx, a form sent back). It prints saves/s (saves that
succeeded), attempts/s, conflicts, errors, and the POST's median and 90th-percentile latency; then
checks that every save the clients saw succeed is a progress update with its note, on its response,
and that each response's versions run 1..N without a gap or a repeat. Exits 1 on a loss or an error.
"""

import argparse
import html
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django_at, serve  # noqa: E402
from benchmarks.national_data import database_url  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSWORD = "benchmark-only-password"
SOURCE = 152
REFUSED = b"Someone else saved a change to this response"
STATUSES = [
    "not_started",
    "in_progress",
    "complete",
    "ongoing",
    "awaiting_national",
    "partner_agency",
    "not_applicable",
]


# The client reads each form with regular expressions rather than an HTML parser: on the same two cores as
# the server, html.parser cost the client several milliseconds a page, time the server then did not get.
FORMS = re.compile(r"<form\b.*?</form>", re.S)
INPUTS = re.compile(r"<input\b([^>]*)>")
TEXTAREAS = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.S)
ATTRIBUTES = re.compile(r'([\w-]+)(?:="([^"]*)")?')


class FormReader:
    """The fields of a page's form, as a browser would send them: fields(page, "version") is the form that
    carries a field named version (inputs, checked radios and checkboxes, and text boxes)."""

    @staticmethod
    def fields(page, marker):
        for form in FORMS.findall(page.decode()):
            values = {}
            for attributes in INPUTS.findall(form):
                attrs = {name: html.unescape(value) for name, value in ATTRIBUTES.findall(attributes)}
                if attrs.get("name") and (
                    attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs
                ):
                    values[attrs["name"]] = attrs.get("value", "")
            for attributes, text in TEXTAREAS.findall(form):
                name = dict(ATTRIBUTES.findall(attributes)).get("name")
                # A browser drops the one newline that follows <textarea>.
                values[name] = html.unescape(text.removeprefix("\n"))
            if marker in values:
                return values
        raise LookupError(f"No form with a field named {marker}")


class Browser:
    """One kept-alive connection with its cookies. A connection the server closed while idle (gunicorn
    replaces a worker after max_requests) is opened again and the request sent again, as browsers do."""

    def __init__(self, base_url):
        self.base_url, self.cookies = base_url, {}
        self.connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=60)

    def request(self, method, path, fields=None):
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.base_url})
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                content = answer.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                if attempt == 2:
                    raise
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value
        return answer.status, content

    def sign_in(self, username):
        _, page = self.request("GET", "/accounts/login/")
        token = FormReader.fields(page, "username")["csrfmiddlewaretoken"]
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302, f"{username} could not sign in ({status})"
        return self


def edit(browser, paths, deadline, name, tally):
    """Load, change and post responses in turn until the deadline; tally what came back."""
    turn = 0
    while time.monotonic() < deadline:
        path = paths[turn % len(paths)]
        turn += 1
        status, page = browser.request("GET", path)
        if status != 200:
            tally["errors"].append(f"GET {path} {status}")
            continue
        fields = FormReader.fields(page, "version")
        fields["status"] = STATUSES[(STATUSES.index(fields.get("status", "not_started")) + 1) % len(STATUSES)]
        fields["note"] = note = f"{name} save {turn}"
        started = time.perf_counter()
        status, page = browser.request("POST", path, fields)
        tally["latency"].append(time.perf_counter() - started)
        if status == 302:
            tally["saved"].append((path, note))
        elif status == 200 and REFUSED in page:
            tally["conflicts"] += 1
        else:
            tally["errors"].append(f"POST {path} {status}")


def cpu_seconds(database_name):
    """CPU seconds used so far (user and system) by the web server's processes (gunicorn's master and
    workers: this process's descendants), by PostgreSQL's backends connected to `database_name`, and by
    this process (the clients)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:  # gone since the listing
                continue
            name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
            if name.startswith("postgres"):
                # A backend's title names its database: "postgres: postgres laming_bench_saves 127.0.0.1(..)"
                try:
                    name = (entry / "cmdline").read_bytes().decode(errors="replace")
                except OSError:
                    continue
            stats[int(entry.name)] = (name, int(rest[1]), (int(rest[11]) + int(rest[12])) / tick)
    children = {}
    for pid, (_, parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    server, waiting = 0.0, list(children.get(os.getpid(), []))
    while waiting:
        pid = waiting.pop()
        server += stats[pid][2]
        waiting += children.get(pid, [])
    database = sum(used for name, _, used in stats.values() if f" {database_name} " in name)
    return {"server": server, "database": database, "clients": time.process_time()}


def run(base_url, officers, shares, seconds, label, database_name):
    """The clients at once for `seconds`: print the figures, return (saves seen [(path, note)], errors)."""
    browsers = [Browser(base_url).sign_in(officer) for officer in officers]
    cpu_before = cpu_seconds(database_name)
    tallies = [{"saved": [], "conflicts": 0, "errors": [], "latency": []} for _ in browsers]
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=edit, args=(browser, share, deadline, f"{label} client {i}", tally))
        for i, (browser, share, tally) in enumerate(zip(browsers, shares, tallies, strict=True))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu = {key: used - cpu_before[key] for key, used in cpu_seconds(database_name).items()}
    saved = [save for tally in tallies for save in tally["saved"]]
    conflicts = sum(tally["conflicts"] for tally in tallies)
    errors = [error for tally in tallies for error in tally["errors"]]
    latency = sorted(seconds * 1000 for tally in tallies for seconds in tally["latency"])
    p90 = latency[int(0.9 * (len(latency) - 1))] if latency else 0
    print(
        f"{label:<9} {len(saved) / elapsed:7.1f} saves/s  {len(latency) / elapsed:7.1f} attempts/s  "
        f"{len(saved):5} saved  {conflicts:5} conflicts  {len(errors):3} errors  "
        f"POST p50 {statistics.median(latency) if latency else 0:6.0f} ms  p90 {p90:6.0f} ms"
    )
    # CPU a save attempt (its GET and POST) costs, whatever else the machine is doing: the figure to compare
    # between changes on a busy machine, where saves a second are not.
    print(
        "          CPU a save attempt: "
        + ", ".join(f"{key} {used * 1000 / max(len(latency), 1):.1f} ms" for key, used in cpu.items())
    )
    for error in errors[:5]:
        print(f"          error: {error}")
    return saved, errors


def losses(saved, paths_to_response):
    """What the database says of the saves seen: problems found, as lines to print (none if none)."""
    from django.db.models import Count, Max, Min

    from responses.models import LocalResponse, ProgressUpdate

    notes = {note: path for path, note in saved}
    found = ProgressUpdate.objects.filter(note__in=notes).values_list("note", "response_id")
    problems = [f"saved twice: {note}" for note, count in Counter(n for n, _ in found).items() if count > 1]
    where = dict(found)
    problems += [f"lost: {note}" for note in notes if note not in where]
    problems += [
        f"on the wrong response: {note}"
        for note, path in notes.items()
        if note in where and where[note] != paths_to_response[path]
    ]
    # Each response's versions run 1..N, one update each, N its version: no gap, no repeat.
    current = dict(
        LocalResponse.objects.filter(pk__in=paths_to_response.values()).values_list("pk", "version")
    )
    versions = (
        ProgressUpdate.objects.filter(response__in=current)
        .order_by()
        .values_list("response")
        .annotate(
            Count("pk"),
            Count("response_version", distinct=True),
            Min("response_version"),
            Max("response_version"),
        )
    )
    problems += [
        f"response {pk}: version {current[pk]}, {count} updates, {distinct} versions from {low} to {high}"
        for pk, count, distinct, low, high in versions
        if not (count == distinct == high == current[pk] and low == 1)
    ]
    return problems


def copy_database(source, copy):
    """Drop `copy` and, given a `source`, make it again as CREATE DATABASE copy TEMPLATE source (PostgreSQL
    copies the files)."""
    import psycopg2

    admin = psycopg2.connect(urlsplit(copy)._replace(path="/postgres").geturl())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{urlsplit(copy).path[1:]}"')
        if source:
            cursor.execute(
                f'CREATE DATABASE "{urlsplit(copy).path[1:]}" TEMPLATE "{urlsplit(source).path[1:]}"'
            )
    admin.close()


def prepare(clients):
    """The officers (with a password) and the edit pages: officers, {edit path: response id}."""
    from django.contrib.auth import get_user_model

    from authorities.models import Authority, Membership
    from responses.models import LocalResponse

    darlington = Authority.objects.get(slug="darlington")
    officers = []
    for i in range(1, clients + 1):
        user = get_user_model().objects.create_user(f"benchmark.saver{i}", password=PASSWORD)
        Membership.objects.create(user=user, authority=darlington, role=Membership.Role.OFFICER)
        officers.append(user.username)
    paths = {}
    for response in LocalResponse.objects.filter(authority=darlington).select_related(
        "recommendation", "part"
    ):
        part = f"parts/{response.part.letter}/" if response.part_id else ""
        paths[f"/authorities/darlington/recommendations/{response.recommendation.number}/{part}edit/"] = (
            response.pk
        )
    return officers, paths


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20, help="length of each run (default 20)")
    parser.add_argument("--clients", type=int, default=8, help="officers saving at once (default 8)")
    args = parser.parse_args()

    subprocess.run([sys.executable, HERE / "national_data.py", "--size", str(SOURCE), "--reuse"], check=True)
    copy = database_url("saves")
    print(f"Load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"Copying {database_url(SOURCE)} to {copy} ...", flush=True)
    copy_database(database_url(SOURCE), copy)
    configure_django_at(copy)
    from django.db import connections

    officers, paths = prepare(args.clients)
    ordered = sorted(paths)
    hot = "/authorities/darlington/recommendations/51/edit/"
    problems, errors = [], []
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "serve.log", "w") as log:
        process, base_url = serve(Path(folder) / "static", log, pdf_workers=0)
        try:
            print(f"{args.clients} Darlington officers saving through gunicorn, {args.seconds:.0f} s a run")
            for label, shares in (
                ("distinct", [ordered[i :: args.clients] for i in range(args.clients)]),
                ("hot", [[hot]] * args.clients),
            ):
                saved, failed = run(base_url, officers, shares, args.seconds, label, urlsplit(copy).path[1:])
                errors += failed
                problems += losses(saved, paths)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=90)
    print(f"lost: {sum(problem.startswith('lost') for problem in problems)}")
    for problem in problems[:20]:
        print(f"  {problem}")
    print(f"Load average at end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    connections.close_all()
    copy_database(None, copy)  # drop it
    return 1 if problems or errors else 0


if __name__ == "__main__":
    sys.exit(main())
