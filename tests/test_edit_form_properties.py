"""Whatever is posted to the edit form, it either saves exactly what was posted or changes nothing.

Hypothesis generates POST bodies: good ones, and ones broken in the ways forms get broken (blank,
white space, too long, NUL characters, markup, junk choices, impossible dates, stale or forged
versions, and keys naming other councils). Each example runs in a savepoint that is rolled back,
so every example starts from the shipped reference data.
"""

import datetime
import os
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from authorities.models import Authority, Membership
from responses.forms import NOTE_LIMIT, REASON_LIMIT, TEXT_LIMIT
from responses.models import LocalResponse, ProgressUpdate, Rag, Status

from .conftest import make_user

NUL = "\x00"
SCRIPT = '<script>alert("laming")</script>'
STATUSES = [status.value for status in Status]
RAGS = [rag.value for rag in Rag]  # "" (not rated) among them
INVALID = "invalid"  # what a date case expects when the form must refuse the date
LEAD_OFFICER_LIMIT = 150

# 30 bodies for each kind of spoiling (about 360 posts in all) keep the suite quick; a deeper search,
# say before a release: PROPERTY_EXAMPLES=500 pytest tests/test_edit_form_properties.py
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # No "explain" phase: it re-runs a failure hundreds of times to annotate it, and the minimal
    # body it prints already says what went wrong.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


@pytest.fixture
def officer_central_bedfordshire(db):
    authority = Authority.objects.get(slug="central-bedfordshire")
    return make_user("officer.test-central-bedfordshire", authority, Membership.Role.OFFICER)


# What is posted


def text_values(limit):
    """Any text for a free-text box, weighted towards the edges of what the form accepts."""
    return st.one_of(
        st.just(""),
        st.sampled_from([" ", "\n\t \r\n", "\u00a0\u2003"]),  # only white space, Unicode's included
        st.text(max_size=80),
        st.just(SCRIPT),
        st.text(max_size=20).map(lambda s: f"{s}{NUL}{s}"),
        st.integers(limit - 1, limit + 1).map(lambda n: "x" * n),
        # The form strips before it counts: padding does not push a full box over the limit.
        st.integers(limit - 1, limit + 1).map(lambda n: f"  {'y' * n}\n"),
    )


def good_text(limit=80):
    return st.one_of(
        st.text(min_size=1, max_size=limit).filter(lambda s: s.strip() and NUL not in s),
        st.just(SCRIPT),
        st.just(f" Padded {SCRIPT} \n"),
    )


CHOICE_JUNK = st.one_of(
    st.sampled_from(["", " ", "done", "COMPLETE", " complete", "in progress", "red ", "Amber", "0", "None"]),
    st.text(max_size=20),
)


def version_values(current):
    """Stale, negative, junk and the current version; None removes the key."""
    stale = [str(v) for v in (current - 1, current + 1, current + 1000, 10**30) if v >= 0]
    return st.one_of(
        st.none(),
        st.just(str(current)),
        st.sampled_from(stale),
        st.sampled_from(["", " ", "-1", "abc", "1.5", "1e3", "0x1", "\u00bd", f"{current}{NUL}"]),
    )


GOOD_DATE_CASES = ["real", "real", "padded", "blank", "missing"]
BAD_DATE_CASES = ["partial", "impossible", "not digits", "year", "huge"]


@st.composite
def target_dates(draw, current=None, *, spoil=True):
    """(the three boxes as posted, None for a missing key; the date the form must read, or INVALID)."""
    cases = GOOD_DATE_CASES + (["current"] * 2 if current else [])  # keeping the date needs no reason
    case = draw(st.sampled_from(cases + BAD_DATE_CASES if spoil else cases))
    if case in ("real", "padded", "current"):
        value = (
            current
            if case == "current"
            else draw(st.dates(datetime.date(2009, 1, 1), datetime.date(2100, 12, 31)))
        )
        if case == "padded":
            return (f" 0{value.day}", f"{value.month:02} ", f" {value.year}"), value
        return (str(value.day), str(value.month), str(value.year)), value
    if case == "blank":
        return draw(st.sampled_from([("", "", ""), (" ", "", "\t")])), None
    if case == "missing":
        return (None, None, None), None
    if case == "partial":
        boxes = draw(st.tuples(*[st.sampled_from(["", "1", "12", "2010"])] * 3))
        if all(boxes):
            boxes = ("", *boxes[1:])
        if not any(boxes):
            boxes = (*boxes[:2], "2010")
        return boxes, INVALID
    if case == "impossible":
        day_month = draw(
            st.sampled_from([(31, 2), (30, 2), (29, 2), (31, 4), (0, 1), (1, 0), (32, 1), (1, 13)])
        )
        return (str(day_month[0]), str(day_month[1]), "2010" if day_month == (29, 2) else "2011"), INVALID
    if case == "not digits":
        return draw(
            st.sampled_from(
                [
                    ("1st", "2", "2010"),
                    ("1", "Feb", "2010"),
                    ("-1", "2", "2010"),
                    ("1.5", "2", "2010"),
                    ("1", "2", "20l0"),
                    ("1", "2", "2,010"),
                    ("1/2/2010", "", ""),
                ]
            )
        ), INVALID
    if case == "year":
        outside = st.one_of(
            st.dates(datetime.date(1000, 1, 1), datetime.date(2008, 12, 31)),
            st.dates(datetime.date(2101, 1, 1), datetime.date(9999, 12, 31)),
        )
        value = draw(outside)
        short_year = draw(st.sampled_from(["10", "210", "02010", "20100"]))
        return draw(
            st.sampled_from([(str(value.day), str(value.month), f"{value.year:04}"), ("1", "4", short_year)])
        ), INVALID
    # "huge": numbers too big for any calendar.
    huge = draw(st.sampled_from(["9" * 12, "9" * 25, "1" + "0" * 40]))
    return draw(st.sampled_from([(huge, "1", "2010"), ("1", huge, "2010"), ("1", "1", huge)])), INVALID


def forged_keys(other_authorities, other_recommendations):
    """Keys the form does not have, naming other councils and recommendations."""
    pks = st.sampled_from(other_authorities).map(lambda a: str(a[0]))
    slugs = st.sampled_from(other_authorities).map(lambda a: a[1])
    recommendation_pks = st.sampled_from(other_recommendations).map(str)
    return st.fixed_dictionaries(
        {},
        optional={
            "authority": st.one_of(pks, slugs),
            "authority_id": pks,
            "slug": slugs,
            "recommendation": recommendation_pks,
            "recommendation_id": recommendation_pks,
            "number": st.sampled_from(["1", "24", "47", "58"]),
            "part": st.sampled_from(["1", "3", "c"]),
            "part_id": st.sampled_from(["1", "3"]),
            "letter": st.sampled_from(["a", "c", "j"]),
            "id": st.sampled_from(["1", "11", "33"]),
            "updated_by": st.just("1"),
            "original_target_date": st.just("2009-01-01"),
        },
    )


FIELD_JUNK = {
    "text": text_values(TEXT_LIMIT),
    "status": st.one_of(st.sampled_from(STATUSES), CHOICE_JUNK),
    "rag": st.one_of(st.sampled_from(RAGS), CHOICE_JUNK),
    "lead_officer": text_values(LEAD_OFFICER_LIMIT),
    "target_date_reason": text_values(REASON_LIMIT),
    "evidence": text_values(TEXT_LIMIT),
    "note": text_values(NOTE_LIMIT),
}


# What a property example spoils: nothing, one field alone (so that field decides the answer), or
# anything at all, several fields at once.
SPOIL = ["nothing", *FIELD_JUNK, "target_date", "version", "anything"]


@st.composite
def post_bodies(
    draw, *, spoil, current_version, current_target_date, other_authorities, other_recommendations
):
    """(body, the target date the form must read or INVALID): a good body with `spoil` spoiled."""
    body = draw(
        st.fixed_dictionaries(
            {"text": good_text(), "status": st.sampled_from(STATUSES), "note": good_text()},
            optional={
                "rag": st.sampled_from(RAGS),
                "lead_officer": st.text(max_size=LEAD_OFFICER_LIMIT).filter(lambda s: NUL not in s),
                "target_date_reason": good_text(),
                "evidence": good_text(),
            },
        )
    )
    if spoil in FIELD_JUNK:
        spoilt = [spoil]
    elif spoil == "anything":
        spoilt = draw(st.lists(st.sampled_from(list(FIELD_JUNK)), max_size=6))
    else:
        spoilt = []
    for name in spoilt:
        value = draw(st.one_of(st.none(), FIELD_JUNK[name]), label=name)  # None leaves the key out
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    if spoil in ("version", "anything"):
        version = draw(version_values(current_version), label="version")
        if version is not None:
            body["version"] = version
    else:
        body["version"] = str(current_version)
    boxes, expected_date = draw(
        target_dates(current_target_date, spoil=spoil in ("target_date", "anything")), label="target date"
    )
    for name, value in zip(("target_date_day", "target_date_month", "target_date_year"), boxes, strict=True):
        if value is not None:
            body[name] = value
    body.update(draw(forged_keys(other_authorities, other_recommendations), label="forged keys"))
    return body, expected_date


# What the form must make of it, worked out from the rules on the page rather than from the form


def text_ok(body, name, limit, *, required):
    value = body.get(name, "")
    return NUL not in value and (len(value.strip()) >= 1 or not required) and len(value.strip()) <= limit


def should_save(body, expected_date, *, current_version, current_target_date):
    moved = current_target_date is not None and expected_date != current_target_date
    return all(
        [
            text_ok(body, "text", TEXT_LIMIT, required=True),
            body.get("status") in STATUSES,
            body.get("rag", "") in RAGS,
            text_ok(body, "lead_officer", LEAD_OFFICER_LIMIT, required=False),
            expected_date != INVALID,
            text_ok(body, "target_date_reason", REASON_LIMIT, required=moved),
            text_ok(body, "evidence", TEXT_LIMIT, required=False),
            text_ok(body, "note", NOTE_LIMIT, required=True),
            body.get("version") == str(current_version),
        ]
    )


# Checking what happened


@contextmanager
def rolled_back():
    """Run one example in a savepoint and undo whatever it wrote."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def find_response(slug, number, letter=None):
    return LocalResponse.objects.filter(
        authority__slug=slug, recommendation__number=number, part__letter=letter
    ).first()


def everything():
    """Every response row as it stands, and every progress update's id."""
    return (
        list(LocalResponse.objects.order_by("pk").values()),
        list(ProgressUpdate.objects.order_by("pk").values_list("pk", flat=True)),
    )


def others(target_pk):
    """Every response row but one."""
    return list(LocalResponse.objects.exclude(pk=target_pk).order_by("pk").values())


def other_councils(slug):
    """Values for forged keys: the other councils (pk, slug), and recommendations that have answers."""
    councils = Authority.objects.exclude(slug=slug).order_by("pk").values_list("pk", "slug")
    recommendations = list(LocalResponse.objects.values_list("recommendation_id", flat=True).distinct())
    return list(councils), recommendations


def post_and_check(client, user, data, *, spoil, slug, number, letter=None):
    """Post one generated body as `user`, who may edit the council, and check the outcome."""
    url = (
        reverse("responses:edit_part", args=[slug, number, letter])
        if letter
        else reverse("responses:edit", args=[slug, number])
    )
    current = find_response(slug, number, letter)
    current_version = current.version if current else 0
    current_target_date = current.target_date if current else None
    other_authorities, other_recommendations = other_councils(slug)
    body, expected_date = data.draw(
        post_bodies(
            spoil=spoil,
            current_version=current_version,
            current_target_date=current_target_date,
            other_authorities=other_authorities,
            other_recommendations=other_recommendations,
        ),
        label="body",
    )
    expect_save = should_save(
        body, expected_date, current_version=current_version, current_target_date=current_target_date
    )
    rows_before, updates_before = everything()

    response = client.post(url, body)  # a 500 raises here: the test client re-raises view errors
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics shows the mix

    assert response.status_code in (200, 302), response.status_code
    assert SCRIPT.encode() not in response.content  # whatever was typed is escaped on the way back
    if response.status_code == 200:
        assert not expect_save, "the form refused a body that breaks none of its rules"
        assert "There is a problem" in response.content.decode()
        assert everything() == (rows_before, updates_before)
        return

    assert expect_save, "the form saved a body that breaks one of its rules"
    detail = reverse("responses:detail", args=[slug, number])
    assert response["Location"] == (f"{detail}#part-{letter}" if letter else detail)
    saved = find_response(slug, number, letter)
    assert saved is not None
    assert saved.version == current_version + 1
    assert saved.text == body["text"].strip()
    assert saved.status == body["status"]
    assert saved.rag == body.get("rag", "")
    assert saved.lead_officer == body.get("lead_officer", "").strip()
    assert saved.evidence == body.get("evidence", "").strip()
    assert saved.target_date == expected_date
    moved = current_target_date is not None and expected_date != current_target_date
    if moved:
        assert saved.target_date_reason == body["target_date_reason"].strip()
    # The first target date set is kept, however often the target moves.
    assert saved.original_target_date == ((current and current.original_target_date) or expected_date)
    assert saved.updated_by == user
    new_updates = list(ProgressUpdate.objects.exclude(pk__in=updates_before))
    assert len(new_updates) == 1
    (update,) = new_updates
    assert update.response_id == saved.pk
    assert update.status_after == body["status"]
    assert update.rag_after == body.get("rag", "")
    assert update.note == body["note"].strip()
    assert (update.target_date_before, update.target_date_after) == (current_target_date, expected_date)
    assert update.target_date_reason == (body["target_date_reason"].strip() if moved else "")
    assert update.response_version == saved.version
    assert update.by == user
    # Nothing else moved, whatever council or recommendation the forged keys named.
    assert others(saved.pk) == [row for row in rows_before if row["id"] != saved.pk]


# The properties


# (persona, council, recommendation, part): an answered recommendation, an unanswered one, one with
# a target date (moving it needs a reason), and a lettered part edited by an administrator and by
# the council's own officer.
TARGETS = [
    ("officer_darlington", "darlington", 51, None),
    ("officer_darlington", "darlington", 47, None),
    ("officer_darlington", "darlington", 24, None),
    ("administrator", "central-bedfordshire", 2, "c"),
    ("officer_central_bedfordshire", "central-bedfordshire", 2, "c"),
]


@pytest.mark.parametrize("spoil", SPOIL)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_post_either_saves_exactly_what_was_posted_or_changes_nothing(db, request, spoil, data):
    persona, slug, number, letter = data.draw(st.sampled_from(TARGETS), label="target")
    user = request.getfixturevalue(persona)
    client = Client()
    with rolled_back():
        client.force_login(user)
        post_and_check(client, user, data, spoil=spoil, slug=slug, number=number, letter=letter)


@pytest.mark.parametrize("number", [51, 47], ids=["answered", "unanswered"])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_post_by_a_darlington_officer_to_newcastles_edit_page_is_refused_and_changes_nothing(
    db, client, officer_darlington, number, data
):
    client.force_login(officer_darlington)
    current = find_response("newcastle", number)
    other_authorities, other_recommendations = other_councils("newcastle")
    body, _ = data.draw(
        post_bodies(
            spoil="anything",
            current_version=current.version if current else 0,
            current_target_date=current.target_date if current else None,
            other_authorities=other_authorities,
            other_recommendations=other_recommendations,
        ),
        label="body",
    )
    before = everything()
    with rolled_back():
        response = client.post(reverse("responses:edit", args=["newcastle", number]), body)
        assert response.status_code == 403
        assert everything() == before


# Plain tests for what the properties rest on


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(db, officer_darlington):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer_darlington)
    url = reverse("responses:edit", args=["darlington", 51])
    body = {
        "text": "Changed without a token.",
        "status": "complete",
        "rag": "green",
        "note": "Forged.",
        "version": str(find_response("darlington", 51).version),
    }
    before = everything()
    assert browser.post(url, body).status_code == 403
    assert everything() == before

    # The control: the same body with the token the form hands out is saved.
    assert browser.get(url).status_code == 200
    body["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value
    assert browser.post(url, body).status_code == 302
    assert find_response("darlington", 51).text == "Changed without a token."


# Found by the property test above: datetime.date() raises OverflowError, not ValueError, for a day or
# month too big for a C long (e.g. 99999999999999999999); that once answered 500.
@pytest.mark.parametrize("day, month", [("9" * 25, "1"), ("1", "9" * 25)], ids=["day", "month"])
def test_a_day_or_month_too_big_for_any_calendar_is_an_error_message_not_a_crash(
    db, officer_client, day, month
):
    current = find_response("darlington", 51)
    before = everything()
    response = officer_client.post(
        reverse("responses:edit", args=["darlington", 51]),
        {
            "text": "Our response.",
            "status": "in_progress",
            "note": "Reviewed.",
            "version": str(current.version),
            "target_date_day": day,
            "target_date_month": month,
            "target_date_year": "2010",
        },
    )
    assert response.status_code == 200
    assert "Target date must be a real date" in response.content.decode()
    assert everything() == before


# An empty POST body is a falsy QueryDict: a form built from `request.POST or None` was left unbound
# and the page answered as if to a GET, refusing silently.
def test_an_empty_post_shows_the_error_summary(db, officer_client):
    before = everything()
    response = officer_client.post(reverse("responses:edit", args=["darlington", 51]), {})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert everything() == before
