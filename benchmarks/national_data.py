"""The national data sets the page and save benchmarks run on, built with SQL in a few minutes.

    .venv/bin/python benchmarks/national_data.py --size 600            # build (drop and rebuild) it
    .venv/bin/python benchmarks/national_data.py --size 152 --reuse    # build only if not built yet

Each size has a database of its own, kept between runs: BENCHMARK_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/laming_bench) with the size after its name, so laming_bench_152
and laming_bench_600. It never reads DATABASE_URL. `--reuse` keeps a database that exists with that
many councils and --updates updates a response, and builds it otherwise.

What is in it: the reference data; councils up to --size (the 4 real ones, then "Benchmark Council
N", spread over the nine regions); every council answering every recommendation, part by part where
the recommendation has parts (74 responses a council), replacing the seed responses; --updates
progress updates a response (default 200: 8.9 million rows at 600 councils), each with the whole
response as it left it, versions 1..N, the last one the response as it stands; statuses and RAGs
spread over councils and recommendations, target dates from 600 days ago to 300 days ahead, moved
every 50 updates with a reason; and assurance asked for on 1 in 4 of the complete or ongoing
responses and given on another 1 in 4 (steps only: no evidence documents).

Responses and updates are written by INSERT ... SELECT, not the ORM. Only one trigger fires on an
insert into these tables: the search vector's on responses_localresponse (migration 0003), which
fills search_vector row by row as it does for the app. The audit trail's triggers refuse UPDATE and
DELETE only, so the seed responses are removed with TRUNCATE.
"""

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import configure_django_at  # noqa: E402

SIZES = (152, 600)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/laming_bench"
REASON = "Moved to fit the partner agencies' joint plan."

# Every council answers every recommendation, part by part where it has parts. Statuses, RAGs and
# dates are spread over councils and recommendations; the target has moved every 50 updates (90
# days each time), so the original target is that many moves earlier.
RESPONSES_SQL = """
INSERT INTO responses_localresponse (
    authority_id, recommendation_id, part_id, text, status, rag, lead_officer, original_target_date,
    target_date, target_date_reason, evidence, assurance, version, updated_at, updated_by_id,
    source_document, source_reference)
SELECT a.id, r.id, p.id,
    a.short_name || ' response to ' || r.number || '. The guidance will be aligned to our own '
        'organisational development; the Children''s Trust will monitor progress.',
    s.status, (%(rags)s::text[])[(a.id * 3 + r.number) %% 4 + 1], 'Safeguarding lead',
    t.target - %(moves)s * 90, t.target, CASE WHEN %(moves)s > 0 THEN %(reason)s ELSE '' END, '',
    CASE WHEN s.status NOT IN ('complete', 'ongoing') THEN ''
         WHEN (a.id + r.number * 7) %% 4 = 0 THEN 'requested'
         WHEN (a.id + r.number * 7) %% 4 = 1 THEN 'assured' ELSE '' END,
    %(updates)s, %(now)s - make_interval(days => (r.number * 3 + a.id %% 7)::int), NULL, '', ''
FROM authorities_authority a
CROSS JOIN recommendations_recommendation r
LEFT JOIN recommendations_recommendationpart p ON p.recommendation_id = r.id
CROSS JOIN LATERAL (SELECT (%(statuses)s::text[])[(a.id + r.number) %% 7 + 1] AS status) s
CROSS JOIN LATERAL (SELECT %(today)s::date + ((r.number * 37 + a.id * 11) %% 900 - 600)::int AS target) t
ORDER BY a.id, r.number, p.letter
"""

# Update n of N for every response, 5 days apart, the last at the response's updated_at: the status
# moves back one every 5 updates and the RAG every 25 (counting back from the response's own), the
# target every 50. Run once for each n, in turn, so the rows lie in the order they were made: one
# response's timeline is spread over the table, as in a database that grew over the years. (Written
# response by response, a timeline would sit in a few pages, and read several times faster.)
UPDATES_SQL = """
INSERT INTO responses_progressupdate (
    response_id, dated, date_wording, created_at, by_id, by_name, status_before, status_after,
    rag_before, rag_after, target_date_before, target_date_after, target_date_reason, text_after,
    lead_officer_after, evidence_after, note, response_version, spreadsheet_import_id,
    source_document, source_reference)
SELECT r.id, (at_ AT TIME ZONE %(zone)s)::date, '', at_, NULL, 'Benchmark officer',
    CASE WHEN n = 1 THEN '' ELSE (%(statuses)s::text[])[((s - (back + 1) / 5) %% 7 + 7) %% 7 + 1] END,
    (%(statuses)s::text[])[((s - back / 5) %% 7 + 7) %% 7 + 1],
    CASE WHEN n = 1 THEN '' ELSE (%(rags)s::text[])[((g - (back + 1) / 25) %% 4 + 4) %% 4 + 1] END,
    (%(rags)s::text[])[((g - back / 25) %% 4 + 4) %% 4 + 1],
    CASE WHEN n = 1 THEN NULL ELSE r.target_date - (back + 1) / 50 * 90 END,
    r.target_date - back / 50 * 90,
    CASE WHEN n > 1 AND back / 50 <> (back + 1) / 50 THEN %(reason)s ELSE '' END,
    r.text, r.lead_officer, r.evidence, 'Update ' || n || ': progress reviewed with the partners.',
    n, NULL, '', ''
FROM responses_localresponse r
CROSS JOIN LATERAL (
    SELECT array_position(%(statuses)s::text[], r.status::text) - 1 AS s,
           array_position(%(rags)s::text[], r.rag::text) - 1 AS g) k
CROSS JOIN (SELECT %(n)s::int AS n) n
CROSS JOIN LATERAL (SELECT %(updates)s - n AS back) b
CROSS JOIN LATERAL (SELECT r.updated_at - make_interval(days => back * 5) AS at_) w
ORDER BY r.id
"""

# Assurance asked for a day after the last update, and given (by the chair) a day after that.
ASSURANCE_SQL = """
INSERT INTO responses_assurancestep (
    response_id, kind, assurance_before, assurance_after, created_at, by_id, by_name, comment,
    response_version, snapshot)
SELECT r.id, step.kind, step.was, step.becomes, r.updated_at + make_interval(days => step.day), NULL,
    step.by_name, step.comment, r.version,
    jsonb_build_object('text', r.text, 'status', r.status, 'rag', r.rag, 'lead_officer', r.lead_officer,
        'target_date', r.target_date, 'evidence', r.evidence, 'version', r.version,
        'documents', '[]'::jsonb)
FROM responses_localresponse r
CROSS JOIN (VALUES
    ('requested', '', 'requested', 1, 'Benchmark officer', 'Done: see the minutes.'),
    ('assured', 'requested', 'assured', 2, 'Benchmark chair', 'Assured on the evidence.')
) AS step(kind, was, becomes, day, by_name, comment)
WHERE r.assurance = 'assured' OR (r.assurance = 'requested' AND step.kind = 'requested')
ORDER BY r.id, step.day
"""


@contextmanager
def keys_and_indexes_set_aside(cursor, table):
    """Drop the table's foreign keys and secondary indexes, and put them back afterwards: one index
    build and one check of each key over all the rows instead of one per row, a third of the time.
    Re-adding the keys checks every row, so the data is held to them as the app's writes are."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        [table],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = "
        "i.indexrelid WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def database_url(size):
    """BENCHMARK_DATABASE_URL (or the default) with `_<size>` after the database's name."""
    parts = urlsplit(os.environ.get("BENCHMARK_DATABASE_URL", DEFAULT_URL))
    return urlunsplit(parts._replace(path=f"{parts.path}_{size}"))


def is_built(size, updates):
    """Whether the size's database exists with `size` councils, all answered, `updates` each."""
    import psycopg2

    try:
        connection = psycopg2.connect(database_url(size), connect_timeout=5)
    except psycopg2.OperationalError:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authorities_authority")
            councils = cursor.fetchone()[0]
            cursor.execute("SELECT min(version), max(version), count(*) FROM responses_localresponse")
            low, high, responses = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM recommendations_recommendation r LEFT JOIN "
                "recommendations_recommendationpart p ON p.recommendation_id = r.id"
            )
            targets = cursor.fetchone()[0]
    except psycopg2.Error:
        return False
    finally:
        connection.close()
    return councils == size and low == high == updates and responses == size * targets


def add_councils(size):
    from authorities.models import Authority

    regions = list(Authority.Region)
    existing = Authority.objects.count()
    Authority.objects.bulk_create(
        Authority(
            name=f"Benchmark Council {i}",
            short_name=f"Benchmark {i}",
            slug=f"benchmark-{i}",
            region=regions[i % len(regions)],
        )
        for i in range(1, size - existing + 1)
    )


def build(size, updates):
    """Drop and rebuild the size's database; print how long each step took and what it holds."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from benchmarks.common import rebuild_database
    from responses.models import Rag, Status

    params = {
        "statuses": [str(status) for status in Status],
        "rags": [str(rag) for rag in Rag],
        "updates": updates,
        "moves": (updates - 1) // 50,
        "reason": REASON,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "zone": settings.TIME_ZONE,
    }
    print(f"Building {settings.DATABASES['default']['NAME']}: {size} councils, {updates} updates a response")
    started = step = time.perf_counter()

    def done(what):
        nonlocal step
        print(f"  {what:<44} {time.perf_counter() - step:6.1f} s", flush=True)
        step = time.perf_counter()

    rebuild_database()
    add_councils(size)
    done("database, reference data, councils")
    with connection.cursor() as cursor:
        # Rebuilt from nothing if the machine stops half way, so no need to wait for each commit's flush.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "TRUNCATE responses_progressupdate, responses_assurancestep, responses_evidencedocument, "
            "responses_localresponse"
        )
        cursor.execute(RESPONSES_SQL, params)
        done(f"{cursor.rowcount:,} responses")
        with keys_and_indexes_set_aside(cursor, "responses_progressupdate"):
            rows = 0
            for n in range(1, updates + 1):
                cursor.execute(UPDATES_SQL, {**params, "n": n})
                rows += cursor.rowcount
            done(f"{rows:,} progress updates")
        done("their indexes and foreign keys")
        cursor.execute(ASSURANCE_SQL, params)
        done(f"{cursor.rowcount:,} assurance steps")
        # VACUUM as well as ANALYZE: it sets the visibility map (index-only scans) and moves the
        # inserts out of the search index's pending list.
        cursor.execute("VACUUM ANALYZE")
        done("VACUUM ANALYZE")
        counts = {}
        for table in (
            "authorities_authority",
            "responses_localresponse",
            "responses_progressupdate",
            "responses_assurancestep",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size_on_disk = cursor.fetchone()[0]
    print(
        f"Built {counts['authorities_authority']} councils, {counts['responses_localresponse']:,} responses, "
        f"{counts['responses_progressupdate']:,} progress updates, "
        f"{counts['responses_assurancestep']:,} assurance steps ({size_on_disk}) "
        f"in {time.perf_counter() - started:.0f} s"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, required=True, help="councils (152 or 600 for the benchmarks)")
    parser.add_argument("--updates", type=int, default=200, help="progress updates a response (200)")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it is already built")
    args = parser.parse_args()
    if args.updates < 1:
        parser.error("--updates must be at least 1")
    if args.reuse and is_built(args.size, args.updates):
        print(f"{database_url(args.size)} is built ({args.size} councils, {args.updates} updates a response)")
        return
    configure_django_at(database_url(args.size))
    build(args.size, args.updates)


if __name__ == "__main__":
    main()
