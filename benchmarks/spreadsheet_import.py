"""How long updating from a spreadsheet takes: checking and applying a 300-row file for one council.

    make benchmark-import               # or: .venv/bin/python benchmarks/spreadsheet_import.py [--runs 3]

It drops and rebuilds its own database, BENCHMARK_IMPORT_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_import_bench); it never reads DATABASE_URL.

A council's real file has at most 78 rows (58 recommendations and their 20 lettered parts). To time
300 rows, the benchmark's own database gives recommendations more lettered parts, and Darlington a
response to every recommendation and part: 300 rows. Each run downloads the file as Darlington's
officer, changes the status of every row and writes a note in it (openpyxl, not timed), then times:
  check     reading the file and checking every row against the responses (read_spreadsheet, plan_import);
  upload    the upload request: the check, and keeping the file;
  preview   the preview page, which checks the file again against the responses as they are now;
  confirm   the confirm request: the file checked again under lock, and all 300 changes applied through
            record_progress, each with its progress update, in one transaction.
Prints the median of --runs runs of each, in server time (Django's test client: no network). The goal
is under 2 s for upload + confirm.
"""

import argparse
import io
import re
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django, rebuild_database  # noqa: E402

configure_django("BENCHMARK_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/laming_import_bench")

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from authorities.models import Authority, Membership  # noqa: E402
from recommendations.models import Recommendation, RecommendationPart  # noqa: E402
from responses.imports import plan_import  # noqa: E402
from responses.models import LocalResponse, ProgressUpdate, SpreadsheetImport, Status  # noqa: E402
from responses.spreadsheets import read_spreadsheet  # noqa: E402

SLUG = "darlington"
ROWS = 300


def build(authority, officer):
    """Lettered parts until the recommendations and parts number 300, and a response to each."""
    recommendations = list(Recommendation.objects.prefetch_related("parts").order_by("number"))
    keys = sum(1 + len(r.parts.all()) for r in recommendations)
    new_parts = []
    while keys < ROWS:
        for recommendation in recommendations:
            taken = {p.letter for p in recommendation.parts.all()} | {
                p.letter for p in new_parts if p.recommendation_id == recommendation.pk
            }
            if keys >= ROWS:
                break
            letter = next(c for c in string.ascii_lowercase if c not in taken)
            new_parts.append(
                RecommendationPart(
                    recommendation=recommendation, letter=letter, text=f"Part ({letter}).", short_title=""
                )
            )
            keys += 1
    RecommendationPart.objects.bulk_create(new_parts)
    existing = {(r.recommendation_id, r.part_id) for r in LocalResponse.objects.filter(authority=authority)}
    now = timezone.now()
    responses = []
    for recommendation in Recommendation.objects.prefetch_related("parts"):
        for part in [None, *recommendation.parts.all()]:
            if (recommendation.pk, part.pk if part else None) not in existing:
                responses.append(
                    LocalResponse(
                        authority=authority,
                        recommendation=recommendation,
                        part=part,
                        text=f"Darlington's response to {recommendation.number}"
                        f"{f'({part.letter})' if part else ''}, at some length. " * 6,
                        status=Status.IN_PROGRESS,
                        updated_at=now,
                        updated_by=officer,
                    )
                )
    LocalResponse.objects.bulk_create(responses)
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            response=response,
            dated=now.date(),
            by=officer,
            by_name=officer.username,
            status_after=response.status,
            text_after=response.text,
            note="Benchmark.",
        )
        for response in responses
    )
    return LocalResponse.objects.filter(authority=authority).count()


def changed_file(client, run):
    """Darlington's file with every row's status changed and a note written in it."""
    content = client.get(reverse("responses:council_export", args=[SLUG, "xlsx"])).content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Responses"]
    headings = [cell.value for cell in sheet[1]]
    status, note = headings.index("Status"), headings.index("Progress note")
    for row in sheet.iter_rows(min_row=2):
        row[status].value = "Complete" if run % 2 == 0 else "In progress"
        row[note].value = f"Benchmark run {run}."
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(function):
    """Wall-clock seconds, queries and result of `function`; its CPU seconds in this process (without
    PostgreSQL's) go to CPU, which moves less than wall-clock time on a machine others share."""
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    CPU.setdefault(function.__name__, []).append(time.process_time() - cpu)
    return time.perf_counter() - start, len(queries), result


CPU = {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default 3)")
    args = parser.parse_args()

    import warnings

    from django.conf import settings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    # Pages name static files as they are in static/: no collectstatic needed (as in tests/conftest.py).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    print(f"Building {settings.DATABASES['default']['NAME']} ...", flush=True)
    rebuild_database()
    authority = Authority.objects.get(slug=SLUG)
    officer = get_user_model().objects.create_user(username=f"officer.{SLUG}", password="benchmark-only")
    Membership.objects.create(user=officer, authority=authority, role=Membership.Role.OFFICER)
    responses = build(authority, officer)
    client = Client()
    client.force_login(officer)

    results = {"check": [], "upload": [], "preview": [], "confirm": []}
    queries = {}
    for run in range(args.runs):
        content = changed_file(client, run)

        def check(content=content):
            return plan_import(authority, read_spreadsheet("bench.xlsx", content))

        def upload(content=content):
            file = io.BytesIO(content)
            file.name = "bench.xlsx"
            return client.post(reverse("authorities:import", args=[SLUG]), {"file": file})

        seconds, queries["check"], plan = timed(check)
        assert len(plan.changes) == responses == ROWS, (len(plan.changes), plan.errors[:3])
        results["check"].append(seconds)
        seconds, queries["upload"], answer = timed(upload)
        assert answer.status_code == 302, answer.status_code
        results["upload"].append(seconds)

        def preview(url=answer["Location"]):
            return client.get(url)

        seconds, queries["preview"], page = timed(preview)
        results["preview"].append(seconds)
        upload_record = SpreadsheetImport.objects.latest("pk")
        digest = re.search(r'name="plan" value="([0-9a-f]{64})"', page.content.decode())[1]
        url = reverse("authorities:import_confirm", args=[SLUG, upload_record.pk])

        def confirm(url=url, digest=digest):
            return client.post(url, {"plan": digest})

        seconds, queries["confirm"], done = timed(confirm)
        assert done.status_code == 302, done.status_code
        assert SpreadsheetImport.objects.get(pk=upload_record.pk).applied_count == ROWS
        results["confirm"].append(seconds)

    print(f"Darlington: {responses} responses; a {ROWS}-row file, {len(content):,} bytes, every row changed")
    print(f"median of {args.runs} runs:")
    for name, timings in results.items():
        print(
            f"{name:8} {statistics.median(timings) * 1000:8.0f} ms  "
            f"({statistics.median(CPU[name]) * 1000:5.0f} ms CPU in Django)  {queries[name]:5} queries"
        )
    total = statistics.median(results["upload"]) + statistics.median(results["confirm"])
    print(f"upload + confirm {total * 1000:8.0f} ms  (goal: under 2000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
