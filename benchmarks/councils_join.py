"""The time to add 150 councils from a spreadsheet, through the upload's own reading, checking and saving.

    make benchmark-councils
    .venv/bin/python benchmarks/councils_join.py --runs 5

It drops and rebuilds its own database, BENCHMARK_COUNCILS_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_councils_bench); it never reads DATABASE_URL.

The spreadsheet is the template filled in: 150 councils, each with every column and an implications
table of 11 rows (as Darlington's). Each run times, for the .xlsx and the .csv file:
- read: the file to a table (authorities.councils.read_sheet);
- check: every row through the council form, against each other and the tracker (councils.check_councils);
- save: the councils and their implications rows in one transaction (councils.add_councils);
- and the two requests an administrator makes, through Django's test client (no network): the upload,
  which reads and checks the file and answers the page to confirm, and the confirm, which checks the
  councils again and saves them.
The councils are removed between runs. Prints the median and the slowest of the runs, in milliseconds.
"""

import argparse
import contextlib
import csv
import io
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django, rebuild_database  # noqa: E402

configure_django(
    "BENCHMARK_COUNCILS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/laming_councils_bench"
)

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from authorities.councils import (  # noqa: E402
    COLUMNS,
    add_councils,
    check_councils,
    read_sheet,  # noqa: E402
)
from authorities.models import Authority, Membership  # noqa: E402

COUNCILS = 150
IMPLICATIONS = [
    (
        "S17 Crime and Disorder",
        "The safeguarding agenda is linked to domestic violence and criminal activity.",
    ),
    ("Health and Well Being", "Failure to address child protection has implications on wellbeing."),
    ("Sustainability", "Not related to this report."),
    ("Diversity", "Safeguarding is an issue for all ethnic groups."),
    ("Wards Affected", "All wards."),
    ("Groups Affected", "Children, families and all agencies involved in safeguarding children."),
    ("Budget and Policy Framework", "There are possible budget implications."),
    ("Key Decision", "This is not a key decision."),
    ("Urgent Decision", "This is not an urgent decision."),
    ("Sustainable Community Strategy", "The findings relate to three themes of the strategy."),
    ("Efficiency", "There are possible efficiency implications."),
]
REGIONS = [label for _, label in Authority.Region.choices]


def council_row(index):
    name = f"Benchmark Borough Council {index}"
    values = {
        "name": name,
        "short_name": f"Benchmark {index}",
        "slug": f"benchmark-{index}",
        "ons_code": f"E06{900000 + index:06d}",
        "region": REGIONS[index % len(REGIONS)],
        "lscb_name": f"Benchmark {index} Local Safeguarding Children Board",
        "childrens_trust_name": f"Benchmark {index} Children's Trust",
        "directorate": "Children's Services",
        "director_name": "A. Director",
        "director_title": "Director of Children's Services",
        "contact_officer": "A. Officer",
        "contact_details": "Extension 1234",
        "first_administrator_email": f"admin{index}@benchmark.example.org",
    }
    for number, (heading, text) in enumerate(IMPLICATIONS, start=1):
        values[f"implication_{number}_heading"] = heading
        values[f"implication_{number}_text"] = text
    return [values.get(name, "") for name, _ in COLUMNS]


def files():
    rows = [council_row(index) for index in range(COUNCILS)]
    headings = [heading for _, heading in COLUMNS]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings)
    writer.writerows(rows)
    return {"xlsx": xlsx.getvalue(), "csv": text.getvalue().encode("utf-8")}


class RolledBack(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """What the block adds is taken out again by rolling it back: the councils, and their first
    administrators' invitations and people history, which is append-only and cannot be deleted."""
    try:
        with transaction.atomic():
            yield
            raise RolledBack
    except RolledBack:
        pass


def administrator():
    user, _ = get_user_model().objects.get_or_create(username="benchmark.admin")
    Membership.objects.get_or_create(user=user, authority=None, role=Membership.Role.ADMINISTRATOR)
    return user


class QueryCount:
    """The statements a block sends to the database (CaptureQueriesContext misses some after a request
    has closed the connection)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)

    def __len__(self):
        return self.count


def ms(start):
    return (time.perf_counter() - start) * 1000


def run_once(fmt, content, user, client):
    """One run: the steps on their own, then the same through the two requests."""
    timings = {}
    start = time.perf_counter()
    sheet = read_sheet(SimpleUploadedFile(f"councils.{fmt}", content))
    timings["read"] = ms(start)
    start = time.perf_counter()
    checked = check_councils(sheet, f"councils.{fmt}")
    timings["check"] = ms(start)
    assert not checked.problems and len(checked.councils) == COUNCILS, checked.problems[:3]
    with rolled_back():
        start = time.perf_counter()
        with QueryCount() as saving:
            add_councils(councils=checked.councils, by=user, file_name=f"councils.{fmt}")
        timings["save"] = ms(start)
    timings["read + check + save"] = timings["read"] + timings["check"] + timings["save"]

    with rolled_back():
        confirming = confirm_through_the_pages(fmt, content, client, timings)
    assert not Authority.objects.filter(slug__startswith="benchmark-").exists()
    return timings, len(saving), len(confirming)


def confirm_through_the_pages(fmt, content, client, timings):
    start = time.perf_counter()
    page = client.post("/authorities/new/upload/", {"file": SimpleUploadedFile(f"councils.{fmt}", content)})
    timings["upload request (read, check, page)"] = ms(start)
    payload = re.search(r'name="councils" value="([^"]+)"', page.content.decode()).group(1)
    start = time.perf_counter()
    with QueryCount() as confirming:
        confirmed = client.post("/authorities/new/upload/confirm/", {"councils": payload})
    timings["confirm request (check again, save)"] = ms(start)
    assert confirmed.status_code == 302, confirmed.status_code
    assert Authority.objects.filter(slug__startswith="benchmark-").count() == COUNCILS
    return confirming


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="use the database already built")
    parser.add_argument("--runs", type=int, default=5, help="runs of each file (default 5)")
    args = parser.parse_args()
    if not args.reuse:
        rebuild_database()
    # Pages name static files by their plain names, as the tests do, so no collectstatic is needed first.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        time_files(args.runs)


def time_files(runs_of_each):
    user = administrator()
    client = Client()
    client.force_login(user)
    made = files()
    for fmt, content in made.items():
        run_once(fmt, content, user, client)  # warm up
        runs = [run_once(fmt, content, user, client) for _ in range(runs_of_each)]
        print(
            f"\n{COUNCILS} councils from .{fmt} ({len(content) / 1024:.0f} KB, {len(IMPLICATIONS)} "
            f"implications rows each), {runs_of_each} runs; save: {runs[0][1]} queries, confirm request: "
            f"{runs[0][2]} queries"
        )
        print(f"{'step':<40} {'median ms':>9} {'max ms':>7}")
        for step in runs[0][0]:
            values = [timings[step] for timings, _, _ in runs]
            print(f"{step:<40} {statistics.median(values):>9.0f} {max(values):>7.0f}")


if __name__ == "__main__":
    main()
