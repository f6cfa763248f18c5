"""Page timings at national size: 152 councils answering all 58 recommendations (and their parts),
20 progress updates a response, in PostgreSQL.

    make benchmark                      # builds the data set (about 30 s), then times every page
    .venv/bin/python benchmarks/national.py --reuse   # time again without rebuilding

It drops and rebuilds its own database, BENCHMARK_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_bench); it never reads DATABASE_URL.

Prints, for each page, the median and 90th-percentile server time over repeated requests (through
Django's test client, so no network) and the number of queries. Times vary with the machine; the
query counts should not move, and the pages should stay under 300 ms median.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django, rebuild_database  # noqa: E402

configure_django("BENCHMARK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/laming_bench")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from authorities.models import Authority, Membership  # noqa: E402
from recommendations.models import Recommendation  # noqa: E402
from responses.models import LocalResponse, ProgressUpdate, Rag, Status  # noqa: E402

COUNCILS = 152
UPDATES_PER_RESPONSE = 20
PAGES = [
    "/",
    "/recommendations/",
    "/recommendations/?q=chair&theme=organisation-and-finance",
    "/recommendations/51/",
    "/commitments/",
    "/authorities/",
    "/authorities/darlington/",
    "/authorities/darlington/recommendations/2/",
    "/authorities/darlington/recommendations/51/edit/",
    "/dashboard/",
    "/dashboard/?theme=legal&status=awaiting_national",
    "/responses/",
    "/responses/?q=guidance&status=awaiting_national",
    "/authorities/darlington/responses.csv",
    "/authorities/darlington/responses.xlsx",
    "/responses/export.csv?theme=legal",
]


def build_dataset():
    started = time.perf_counter()
    rebuild_database()
    recommendations = list(Recommendation.objects.prefetch_related("parts"))
    existing = Authority.objects.count()
    Authority.objects.bulk_create(
        Authority(name=f"Benchmark Council {i}", short_name=f"Benchmark {i}", slug=f"benchmark-{i}")
        for i in range(COUNCILS - existing)
    )
    statuses, rags = list(Status), list(Rag)
    now = timezone.now()
    # Every council answers every recommendation, part by part where it has parts, replacing the
    # seed responses so that each council has the same, full set. (TRUNCATE: the audit trail's
    # trigger refuses row deletes, as it should.)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE responses_progressupdate, responses_localresponse")
    targets = [(rec, part) for rec in recommendations for part in (list(rec.parts.all()) or [None])]
    for authority in Authority.objects.order_by("pk"):
        responses = LocalResponse.objects.bulk_create(
            LocalResponse(
                authority=authority,
                recommendation=rec,
                part=part,
                text=f"{authority.short_name} response to {rec.number}. The guidance will be aligned to "
                "our own organisational development; the Children's Trust will monitor progress.",
                status=statuses[(authority.pk + rec.number) % len(statuses)],
                rag=rags[(authority.pk * 3 + rec.number) % len(rags)],
                lead_officer="Safeguarding lead",
                target_date=(now - timezone.timedelta(days=(rec.number * 37) % 900)).date(),
                original_target_date=(now - timezone.timedelta(days=(rec.number * 37) % 900)).date(),
                version=UPDATES_PER_RESPONSE,
                updated_at=now - timezone.timedelta(days=rec.number * 3),
            )
            for rec, part in targets
        )
        ProgressUpdate.objects.bulk_create(
            (
                ProgressUpdate(
                    response=response,
                    dated=(now - timezone.timedelta(days=(UPDATES_PER_RESPONSE - n) * 30)).date(),
                    created_at=now - timezone.timedelta(days=(UPDATES_PER_RESPONSE - n) * 30),
                    by_name="Benchmark officer",
                    status_before=statuses[n % len(statuses)],
                    status_after=statuses[(n + 1) % len(statuses)],
                    note=f"Update {n} on the response.",
                    response_version=n + 1,
                )
                for response in responses
                for n in range(UPDATES_PER_RESPONSE)
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        # VACUUM as well: it moves the bulk inserts out of the GIN index's pending list.
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Built {Authority.objects.count()} councils, {LocalResponse.objects.count():,} responses, "
        f"{ProgressUpdate.objects.count():,} progress updates in {time.perf_counter() - started:.0f} s"
    )


def signed_in_client():
    user, _ = get_user_model().objects.get_or_create(username="benchmark.officer")
    darlington = Authority.objects.get(slug="darlington")
    Membership.objects.get_or_create(user=user, authority=darlington, role=Membership.Role.OFFICER)
    client = Client()
    client.force_login(user)
    return client


def time_pages(runs):
    client = signed_in_client()
    print(f"\n{'page':<58} {'median ms':>9} {'p90 ms':>7} {'queries':>7} {'KB':>6}")
    for url in PAGES:
        for _ in range(2):  # warm caches and connections
            client.get(url)
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p90 = timings[min(len(timings) - 1, int(len(timings) * 0.9))]
        size = len(response.content) / 1024
        print(f"{url:<58} {statistics.median(timings):>9.0f} {p90:>7.0f} {len(queries):>7} {size:>6.0f}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="time the data set already built")
    parser.add_argument("--runs", type=int, default=15, help="requests per page (default 15)")
    args = parser.parse_args()
    if not args.reuse:
        build_dataset()
    time_pages(args.runs)


if __name__ == "__main__":
    main()
