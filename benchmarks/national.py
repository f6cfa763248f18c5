"""Page timings at national size: 152 and 600 councils, every recommendation answered (part by part
where it has parts), 200 progress updates a response, in PostgreSQL.

    make benchmark                                      # builds what is missing, pages, then saves
    .venv/bin/python benchmarks/national.py             # rebuilds both data sets, then times the pages
    .venv/bin/python benchmarks/national.py --reuse     # times again on the data sets already built
    .venv/bin/python benchmarks/national.py --reuse --runs 30 --sizes 152

The data sets are benchmarks/national_data.py's, each in its own database kept between runs:
BENCHMARK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/laming_bench) suffixed _152 and
_600; it never reads DATABASE_URL. Each size is timed in a process of its own, through Django's test
client (so no network and no gunicorn): 2 warm-up requests, then --runs timed ones (15), each page at
one size then straight away at the other, so a change in the machine's load falls on both. Each persona
is a real Membership on Darlington (officer, chair, clerk, council administrator) made here, with the
draft report, spreadsheet upload and assurance request the pages need.

For each page: median and 90th-percentile time, queries, size, and the SQL time (the sum of its
queries' durations, measured with connection.execute_wrapper around the same requests; rows read
through a server-side cursor are fetched outside it). Then: page / SQL, the median page time over the
median SQL time at 600 councils (near 1, PostgreSQL takes the time; well above, Python does), and the
growth exponent log(median 600 / median 152) / log(600 / 152): 0 for a page that does not grow with
the councils, 1 for one that grows in proportion. PDFs and Word files are rendered by the worker
and are not timed here (make benchmark-pdf). The load average is printed before and after: on a
busy machine every figure is slower. Exits 1 if a page's query count differs between the sizes.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import collect_static  # noqa: E402
from benchmarks.national_data import SIZES, database_url  # noqa: E402

HERE = Path(__file__).resolve().parent
D = "/authorities/darlington"
# (persona, address): {name} parts are filled from the records prepare() makes or finds.
PAGES = [
    ("officer", "/"),
    ("chair", "/"),
    ("clerk", "/"),
    ("council_admin", "/"),
    ("officer", "/recommendations/"),
    ("officer", "/recommendations/?q=chair&theme=organisation-and-finance"),
    ("officer", "/recommendations/51/"),
    ("officer", "/commitments/"),
    ("officer", "/authorities/"),
    ("officer", D + "/"),
    ("officer", D + "/recommendations/51/"),
    ("officer", D + "/recommendations/2/"),
    ("officer", D + "/recommendations/51/edit/"),
    ("officer", D + "/recommendations/2/parts/a/edit/"),
    ("officer", D + "/recommendations/51/evidence/new/"),
    ("officer", D + "/recommendations/{assurable}/assurance/request/"),
    ("officer", "/dashboard/"),
    ("officer", "/dashboard/?theme=legal&status=awaiting_national"),
    ("officer", "/responses/"),
    ("officer", "/responses/?q=guidance&status=awaiting_national"),
    ("officer", D + "/import/"),
    ("officer", D + "/import/{upload}/"),
    ("officer", "/account/"),
    ("chair", D + "/assurance/"),
    ("chair", D + "/assurance/{awaiting}/"),
    ("clerk", D + "/reports/"),
    ("clerk", D + "/reports/new/"),
    ("clerk", D + "/reports/{report}/"),
    ("clerk", D + "/reports/{report}/edit/"),
    ("clerk", D + "/reports/{report}/preview/"),
    ("clerk", D + "/meetings/1/decision/record/"),
    ("clerk", "/authorities/stockton-on-tees/meetings/3/decision/"),
    ("council_admin", D + "/people/"),
    ("council_admin", D + "/people/invite/"),
    ("council_admin", D + "/people/{officer}/"),
]
DOWNLOADS = [
    ("officer", D + "/responses.csv"),
    ("officer", D + "/responses.xlsx"),
    ("officer", "/responses/export.csv?theme=legal"),
    ("officer", "/responses/export.xlsx?theme=legal"),
]
ROLES = ("officer", "chair", "clerk", "council_admin")


def prepare():
    """The personas, signed in, and the records some pages show: {persona: Client}, {name: url part}."""
    import datetime
    import io

    from django.contrib.auth import get_user_model
    from django.test import Client

    from authorities.models import Authority, CabinetReport, Meeting, Membership
    from responses.cabinet.services import create_report
    from responses.models import ASSURABLE_STATUSES, Assurance, LocalResponse, SpreadsheetImport
    from responses.services import check_spreadsheet

    darlington = Authority.objects.get(slug="darlington")
    users, clients = {}, {}
    for role in ROLES:
        users[role], _ = get_user_model().objects.get_or_create(
            username=f"benchmark.{role}", defaults={"first_name": "Benchmark", "last_name": role}
        )
        Membership.objects.get_or_create(user=users[role], authority=darlington, role=role)
        clients[role] = Client()
        clients[role].force_login(users[role])

    report = CabinetReport.objects.filter(authority=darlington, title="Benchmark draft").first()
    if report is None:
        day = datetime.date(2009, 7, 21)
        meeting = Meeting.objects.filter(authority=darlington, date=day).first()
        new = (
            {"meeting": meeting}
            if meeting
            else {"new_meeting_kind": Meeting.Kind.CABINET, "new_meeting_date": day}
        )
        report = create_report(authority=darlington, by=users["clerk"], title="Benchmark draft", **new)

    upload = SpreadsheetImport.objects.filter(authority=darlington, file_name="benchmark.csv").first()
    if upload is None:
        # The council's own export with every lead officer changed and a note: 74 changes to preview.
        import csv

        text = clients["officer"].get(D + "/responses.csv").content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "Lead officer": "Head of safeguarding", "Progress note": "Reviewed."})
        upload = check_spreadsheet(
            authority=darlington,
            by=users["officer"],
            file_name="benchmark.csv",
            content=out.getvalue().encode("utf-8-sig"),
        )

    def address(response):
        number = response.recommendation.number
        return f"{number}/parts/{response.part.letter}" if response.part_id else str(number)

    mine = LocalResponse.objects.filter(authority=darlington).select_related("recommendation", "part")
    assurable = mine.filter(status__in=ASSURABLE_STATUSES, assurance=Assurance.NOT_REQUESTED).first()
    awaiting = mine.filter(assurance=Assurance.REQUESTED).first()
    names = {
        "report": report.pk,
        "upload": upload.pk,
        "assurable": address(assurable),
        "awaiting": awaiting.pk,
        "officer": users["officer"].pk,
    }
    return clients, names


class SqlTimer:
    """connection.execute_wrapper: counts the queries and adds up the time PostgreSQL took over them."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def time_page(client, url, runs):
    from django.db import connection

    def fetch():
        timer = SqlTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return elapsed, timer, len(body)

    for _ in range(2):  # warm caches and connections
        fetch()
    samples = [fetch() for _ in range(runs)]
    times = sorted(elapsed * 1000 for elapsed, _, _ in samples)
    return {
        "median": statistics.median(times),
        "p90": times[min(len(times) - 1, int(len(times) * 0.9))],
        "sql": statistics.median(timer.seconds * 1000 for _, timer, _ in samples),
        "queries": sorted({timer.queries for _, timer, _ in samples}),
        "kb": samples[-1][2] / 1024,
    }


def measure(size, runs):
    """In this process, against the size's database: for each page number read from stdin, its figures as
    a line of JSON on stdout (time_all asks each size in turn, page by page)."""
    from benchmarks.common import configure_django_at

    configure_django_at(database_url(size))
    clients, names = prepare()
    print("ready", flush=True)
    for line in sys.stdin:
        persona, page = (PAGES + DOWNLOADS)[int(line)]
        print(json.dumps(time_page(clients[persona], page.format(**names), runs)), flush=True)


def time_all(sizes, runs):
    """{size: {"persona page": figures}}, every page timed at each size in turn."""
    children = {}
    for size in sizes:
        command = [sys.executable, __file__, "--measure", str(size), "--runs", str(runs)]
        children[size] = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for size, child in children.items():
        assert child.stdout.readline() == "ready\n", f"the timing process for {size} councils failed"
    results = {size: {} for size in sizes}
    for number, (persona, page) in enumerate(PAGES + DOWNLOADS):
        for size, child in children.items():
            child.stdin.write(f"{number}\n")
            child.stdin.flush()
            answer = child.stdout.readline()
            assert answer, f"the timing process for {size} councils failed on {persona} {page}"
            results[size][f"{persona} {page}"] = json.loads(answer)
        medians = "  ".join(
            f"{size}: {results[size][f'{persona} {page}']['median']:6.0f} ms" for size in sizes
        )
        print(f"  {persona:<13} {page:<60} {medians}", flush=True)
    for child in children.values():
        child.stdin.close()
        child.wait()
    return results


def table(title, pages, results, sizes):
    """Print one table; return the pages whose query count is not the same for every size."""
    small, large = sizes[0], sizes[-1]
    print(f"\n{title}; ~/ is {D}/")
    print(
        f"{'who':<13} {'page':<52} {f'med {small}':>8} {f'p90 {small}':>8} {f'med {large}':>8} "
        f"{f'p90 {large}':>8} {'queries':>9} {'KB':>11} {'page/SQL':>8} {'growth':>6}"
    )
    moving = []
    for persona, url in pages:
        rows = [results[size][f"{persona} {url}"] for size in sizes]
        counts = sorted({count for row in rows for count in row["queries"]})
        if len(counts) > 1:
            moving.append((persona, url))
        queries = str(counts[0]) if len(counts) == 1 else "!" + "/".join(map(str, counts))
        kb = "/".join(f"{row['kb']:.0f}" for row in (rows[0], rows[-1]))
        ratio = rows[-1]["median"] / rows[-1]["sql"] if rows[-1]["sql"] else math.inf  # at the larger size
        first, last = rows[0], rows[-1]
        growth = math.log(last["median"] / first["median"]) / math.log(large / small) if large != small else 0
        page = url.replace(D + "/", "~/")
        print(
            f"{persona:<13} {page:<52} {first['median']:8.0f} {first['p90']:8.0f} {last['median']:8.0f} "
            f"{last['p90']:8.0f} {queries:>9} {kb:>11} {ratio:8.1f} {growth:6.2f}"
        )
    return moving


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="build a data set only if it is not built yet")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--updates", type=int, default=200, help="progress updates a response (default 200)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="councils (152 600)")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # one size, in a process of its own
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.runs)
        return 0

    print(f"Load average at start: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)
    for size in args.sizes:
        build = [sys.executable, HERE / "national_data.py", f"--size={size}", f"--updates={args.updates}"]
        subprocess.run(build + (["--reuse"] if args.reuse else []), check=True)
    # The children read STATIC_ROOT from the environment; the folder goes when the timings are done.
    sizes = sorted(args.sizes)
    with tempfile.TemporaryDirectory() as static:
        collect_static(static)
        print(f"Timing {', '.join(database_url(size) for size in sizes)}, page by page ...", flush=True)
        results = time_all(sizes, args.runs)
    moving = table("Pages (ms: median and 90th percentile server time)", PAGES, results, sizes)
    moving += table("Downloads", DOWNLOADS, results, sizes)
    print(f"\nLoad average at end: {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    if moving:
        print("Query counts differ between sizes: " + ", ".join(f"{who} {url}" for who, url in moving))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
