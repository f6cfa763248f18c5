"""How long a Cabinet report PDF takes: WeasyPrint alone against the whole request, on Central Bedfordshire.

    make benchmark-pdf                          # or: .venv/bin/python benchmarks/report_pdf.py [--runs 5]

It builds its own database, BENCHMARK_PDF_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_pdf_bench), from the reference data; it never reads
DATABASE_URL.

Prints the median of --runs timings for:
  weasyprint   WeasyPrint alone (layout and PDF/UA-1 writing) on the report's HTML, built once;
  request      the whole request for /authorities/central-bedfordshire/cabinet-report.pdf as the clerk
               (session, queries, template, WeasyPrint, response), through Django's test client;
  html         the part of the request before WeasyPrint: the queries and the template;
  issued       downloading an issued report, which serves the stored bytes without rendering;
and the page count and the ratio request / weasyprint, which should stay under 2.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django, rebuild_database  # noqa: E402

configure_django("BENCHMARK_PDF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/laming_pdf_bench")

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from authorities import pdf  # noqa: E402
from authorities.models import Authority, CabinetReport, Meeting, Membership  # noqa: E402
from responses.cabinet import services  # noqa
from responses.cabinet.content import build_report, default_report  # noqa: E402

SLUG = "central-bedfordshire"


def median_seconds(function, runs):
    function()  # warm up: fonts, templates, connections
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (default 5)")
    args = parser.parse_args()

    print(f"Building {settings.DATABASES['default']['NAME']} ...", flush=True)
    rebuild_database()
    authority = Authority.objects.get(slug=SLUG)
    clerk = get_user_model().objects.create_user(username=f"clerk.{SLUG}", password="benchmark-only-password")
    Membership.objects.create(user=clerk, authority=authority, role=Membership.Role.CLERK)
    client = Client()
    client.force_login(clerk)
    url = reverse("authorities:cabinet_report_pdf", args=[SLUG])

    html = pdf.report_html(build_report(default_report(authority)))
    rendered = pdf.html_to_pdf(html)

    def whole_request():
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    weasyprint_alone = median_seconds(lambda: pdf.html_to_pdf(html), args.runs)
    request = median_seconds(whole_request, args.runs)
    html_only = median_seconds(lambda: pdf.report_html(build_report(default_report(authority))), args.runs)

    report = services.create_report(
        authority=authority,
        by=clerk,
        title="Benchmark",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, 21),
    )
    # Central Bedfordshire's records name no director or contact officer and have no implications
    # rows: fill them in, as its clerk would before issuing.
    report.director_name = report.contact_officer = "Benchmark"
    report.implications = [{**row, "text": "Benchmark."} for row in report.implications]
    report.save()
    issued = services.issue_report(report=report, by=clerk, expected_version=report.version)
    issued_url = reverse("authorities:report_pdf", args=[SLUG, issued.pk])
    issued_download = median_seconds(lambda: client.get(issued_url), args.runs)
    assert client.get(issued_url).content == bytes(CabinetReport.objects.get(pk=issued.pk).pdf)

    ratio = request / weasyprint_alone
    print(f"Central Bedfordshire's full report: {rendered.page_count} pages, {len(rendered.content):,} bytes")
    print(f"weasyprint  {weasyprint_alone * 1000:8.0f} ms  (WeasyPrint alone on the same HTML)")
    print(f"request     {request * 1000:8.0f} ms  (the whole request for {url})")
    print(f"html        {html_only * 1000:8.0f} ms  (queries and template, before WeasyPrint)")
    print(f"issued      {issued_download * 1000:8.0f} ms  (an issued report, served from storage)")
    print(f"ratio       {ratio:8.2f}     (request / weasyprint; should stay under 2)")
    return 0 if ratio < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
