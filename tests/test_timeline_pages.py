"""A response's progress timeline, a page at a time: a response updated monthly for years stays a light page.

The newest ten entries first; ?page=N (or ?page-b=N for part (b)) for the rest, each part paged on its own;
the same number of queries whether a response has 3 updates or 250.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recommendations.models import Recommendation
from responses.models import AssuranceStep, LocalResponse, ProgressUpdate, Status

from .helpers import visible_text

URL = "/authorities/darlington/recommendations/52/"
FIRST_DAY = datetime.date(2010, 1, 4)


def add_updates(response, count, first_number=1):
    """`count` updates a week apart, numbered in the order they happened (the newest has the highest)."""
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            response=response,
            dated=FIRST_DAY + datetime.timedelta(weeks=n - 1),
            by_name="Test officer",
            status_after=Status.IN_PROGRESS,
            note=f"Weekly update number {n}.",
            response_version=n,
        )
        for n in range(first_number, first_number + count)
    )


def update_numbers(page):
    """The update numbers on the page's timeline, in the order shown."""
    text = visible_text(page)
    return [int(piece.split(".")[0]) for piece in text.split("Weekly update number ")[1:]]


@pytest.fixture
def long_history(darlington):
    """Darlington's response to 52 with 25 weekly updates (its reference updates, if any, are older)."""
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=52, part=None)
    before = response.updates.count()
    add_updates(response, 25)
    return response, before


@pytest.mark.django_db
def test_the_first_page_shows_the_newest_ten_entries_and_says_how_many_there_are(
    officer_client, long_history
):
    response, before = long_history
    assert before == 1 and not response.documents.exists() and not response.assurance_steps.exists()
    page = officer_client.get(URL)
    assert update_numbers(page) == list(range(25, 15, -1))
    assert "Entries 1 to 10 of 26, newest first." in visible_text(page)
    assert 'href="?page=2#timeline"' in page.content.decode()


@pytest.mark.django_db
def test_a_later_page_continues_where_the_one_before_stopped(officer_client, long_history):
    assert update_numbers(officer_client.get(URL + "?page=2")) == list(range(15, 5, -1))
    assert update_numbers(officer_client.get(URL + "?page=3"))[:5] == [5, 4, 3, 2, 1]


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["99", "0", "-3", "two", ""])
def test_a_page_that_does_not_exist_shows_the_nearest_one_that_does(officer_client, long_history, asked):
    response, before = long_history
    page = officer_client.get(URL + f"?page={asked}")
    assert page.status_code == 200
    if asked == "99":
        # The last page: updates 5 to 1 and the response's one update from the reference data.
        assert before == 1
        assert update_numbers(page) == [5, 4, 3, 2, 1]
        assert "Entries 21 to 26 of 26, newest first." in visible_text(page)
    else:
        assert update_numbers(page) == list(range(25, 15, -1))


@pytest.mark.django_db
def test_an_assurance_step_takes_its_place_among_the_updates(officer_client, long_history, chair_darlington):
    response, _ = long_history
    # Between update 20 (15 weeks after the first) and update 21.
    on = FIRST_DAY + datetime.timedelta(weeks=19, days=3)
    AssuranceStep.objects.create(
        response=response,
        kind=AssuranceStep.Kind.REQUESTED,
        by=chair_darlington,
        by_name="Asking officer",
        assurance_after="requested",
        comment="All done, see the evidence.",
        response_version=21,
        snapshot={},
        created_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))),
    )
    text = visible_text(officer_client.get(URL))
    assert text.index("Weekly update number 21.") < text.index("All done, see the evidence.")
    assert text.index("All done, see the evidence.") < text.index("Weekly update number 20.")
    # One more entry on the page means update 16 moves to the next page.
    assert update_numbers(officer_client.get(URL)) == list(range(25, 16, -1))
    assert update_numbers(officer_client.get(URL + "?page=2"))[0] == 16


@pytest.mark.django_db
def test_each_part_is_paged_on_its_own(officer_client, darlington, officer_darlington):
    url = "/authorities/darlington/recommendations/2/"
    rec = Recommendation.objects.get(number=2)
    parts = {part.letter: part for part in rec.parts.all()}
    for letter, first in (("a", 1), ("b", 101)):
        response = LocalResponse.objects.create(
            authority=darlington,
            recommendation=rec,
            part=parts[letter],
            status=Status.IN_PROGRESS,
            version=12,
        )
        add_updates(response, 12, first_number=first)
    page = officer_client.get(url + "?page-b=2")
    numbers = update_numbers(page)
    assert numbers == list(range(12, 2, -1)) + [102, 101]
    html = page.content.decode()
    # Part (a)'s links keep part (b) on its page 2, and the other way round.
    assert 'href="?page-b=2&amp;page-a=2#timeline-a"' in html
    assert 'href="?page-b=1#timeline-b"' in html
    assert 'aria-label="Pages of the timeline of part (b)"' in html


@pytest.mark.django_db
def test_the_response_page_runs_the_same_queries_for_3_updates_or_250(officer_client, darlington):
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=52, part=None)
    counts = []
    for more in (3, 247):
        add_updates(response, more, first_number=1000 + len(counts) * 1000)
        with CaptureQueriesContext(connection) as queries:
            assert officer_client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert len(update_numbers(officer_client.get(URL))) == 10


@pytest.mark.django_db
def test_a_dated_entry_links_to_the_councils_figures_as_at_its_day(officer_client, long_history):
    html = officer_client.get(URL).content.decode()
    last = FIRST_DAY + datetime.timedelta(weeks=24)
    assert f'href="/authorities/darlington/?as_at={last:%Y-%m-%d}"' in html
    assert f"Darlington's figures as at {last.day} {last:%B %Y}" in html


@pytest.mark.django_db
def test_the_newest_updates_of_many_responses_are_the_newest_of_all_their_updates(darlington):
    """ProgressUpdate.objects.newest_of, which the council dashboard's recent updates use: each response's own
    newest ten are read, and the newest of those are the newest of all (here 3 responses of 25 updates, whose
    weeks interleave, and undated ones, which come last)."""
    responses = [
        LocalResponse.objects.create(
            authority=darlington,
            recommendation=Recommendation.objects.get(number=number),
            status=Status.NOT_STARTED,
        )
        for number in (7, 8, 9)
    ]
    for offset, response in enumerate(responses):
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                response=response,
                dated=FIRST_DAY + datetime.timedelta(days=offset + 3 * n) if n else None,
                date_wording="" if n else "Spring 2009",
                by_name="Test officer",
                status_after=Status.NOT_STARTED,
                note=f"{offset}-{n}",
                response_version=n + 1,
            )
            for n in range(25)
        )
    every = list(ProgressUpdate.objects.filter(response__in=responses).timeline())
    for count in (1, 10, 30, 75):
        newest = ProgressUpdate.objects.newest_of(responses, count)
        assert [u.pk for u in newest] == [u.pk for u in every[:count]]
    assert [u.note for u in ProgressUpdate.objects.newest_of(responses, 4)] == [
        "2-24",
        "1-24",
        "0-24",
        "2-23",
    ]
    assert ProgressUpdate.objects.newest_of([], 10) == []
