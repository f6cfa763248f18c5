"""The shipped reference data says exactly what the seed documents say.

These tests read the seed files with a small parser of their own rather than importing the
fixture builder's, so one mistake cannot hide in both places. Texts are compared after folding
white space and dropping markdown markup (*, **) and a leading list marker ("- ", "• ", "2. ").
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from authorities.models import Authority, Decision, ImplicationRow, Meeting
from recommendations.models import Commitment, Recommendation, RecommendationPart, Theme
from responses.models import LocalResponse, ProgressUpdate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "reference.json"
BUILDER = ROOT / "fixtures" / "build_reference.py"

RECOMMENDATIONS_SEED = "001_0595a2620ba36ceb.txt"
WORKING_TOGETHER_SEED = "004_57078ae0ead0d98e.txt"

PART_COUNTS = {2: 10, 19: 3, 24: 4, 26: 3}
ANSWERED_PART_BY_PART = {2, 19}  # Central Bedfordshire answers 24 and 26 as a whole
WORKING_TOGETHER_RECS = {6, 7, 9, 11, 13, 14, 16, 19, 20, 22, 23, 25, 29, 30, 51, 52, 53}
SOURCED_MODELS = [
    Theme,
    Recommendation,
    RecommendationPart,
    Commitment,
    Authority,
    ImplicationRow,
    Meeting,
    Decision,
    LocalResponse,
    ProgressUpdate,
]


def plain(text):
    """Text as compared: markup and a leading list marker dropped, white space folded."""
    text = re.sub(r"<[^>]+>", "", text.replace("*", ""))
    text = re.sub(r"^\s*(?:[-•]\s+)?(?:\d{1,2}\.?\s+)?", "", text)
    return " ".join(text.split())


def seed_text(name):
    return (Path(settings.SEEDS_DIR) / name).read_text(encoding="utf-8")


def parse_recommendations_seed():
    """Seed 001 as {number: {"text", "parts": [texts], "answers": {letter or None: text}}}.

    A numbered line (rec 1 is written "- 1 The ...") starts a recommendation, a "- " line is a
    lettered part, and a line in italics is Central Bedfordshire's answer to what precedes it.
    """
    recs = {}
    for line in seed_text(RECOMMENDATIONS_SEED).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        number = re.match(r"(?:- )?(\d+)\.? ", line)
        if number and int(number.group(1)) == len(recs) + 1:
            rec = recs[len(recs) + 1] = {"text": plain(line), "parts": [], "answers": []}
        elif line.startswith("*"):
            rec["answers"].append((len(rec["parts"]), plain(line)))
        else:
            assert line.startswith("- "), f"unexpected line in seed 001: {line[:50]}"
            rec["parts"].append(plain(line))
    for number, rec in recs.items():
        if number in ANSWERED_PART_BY_PART:
            # Each answer follows its own part: the k-th part has k parts before its answer.
            assert [seen for seen, _ in rec["answers"]] == list(range(1, len(rec["parts"]) + 1))
            rec["answers"] = {"abcdefghij"[seen - 1]: text for seen, text in rec["answers"]}
        else:
            assert len(rec["answers"]) == 1, f"recommendation {number} should have one answer"
            rec["answers"] = {None: rec["answers"][0][1]}
    return recs


@pytest.fixture
def reference_data(db):
    """The shipped reference data, which conftest's django_db_setup loads once for the session."""


@pytest.fixture(scope="module")
def seed_recommendations():
    return parse_recommendations_seed()


@pytest.mark.django_db
def test_there_are_exactly_58_recommendations_numbered_1_to_58(reference_data, seed_recommendations):
    assert sorted(seed_recommendations) == list(range(1, 59))
    assert list(Recommendation.objects.order_by("number").values_list("number", flat=True)) == list(
        range(1, 59)
    )


@pytest.mark.django_db
def test_every_recommendation_text_matches_its_seed(reference_data, seed_recommendations):
    for rec in Recommendation.objects.all():
        assert plain(rec.text) == seed_recommendations[rec.number]["text"], f"recommendation {rec.number}"


@pytest.mark.django_db
def test_every_part_text_matches_its_seed(reference_data, seed_recommendations):
    for number, rec in seed_recommendations.items():
        stored = RecommendationPart.objects.filter(recommendation__number=number).order_by("letter")
        assert [part.letter for part in stored] == list("abcdefghij"[: len(rec["parts"])])
        assert [plain(part.text) for part in stored] == rec["parts"], f"recommendation {number}"


@pytest.mark.django_db
def test_only_recommendations_2_19_24_and_26_have_parts_and_in_the_right_numbers(
    reference_data, seed_recommendations
):
    in_seed = {number: len(rec["parts"]) for number, rec in seed_recommendations.items() if rec["parts"]}
    stored = {}
    for part in RecommendationPart.objects.select_related("recommendation"):
        stored[part.recommendation.number] = stored.get(part.recommendation.number, 0) + 1
    assert in_seed == PART_COUNTS
    assert stored == PART_COUNTS


@pytest.mark.django_db
def test_central_bedfordshire_has_exactly_69_responses(reference_data):
    assert LocalResponse.objects.filter(authority__slug="central-bedfordshire").count() == 69


@pytest.mark.django_db
def test_every_central_bedfordshire_response_matches_the_italic_paragraph_after_it(
    reference_data, seed_recommendations
):
    expected = {
        (number, letter): text
        for number, rec in seed_recommendations.items()
        for letter, text in rec["answers"].items()
    }
    responses = LocalResponse.objects.filter(authority__slug="central-bedfordshire").select_related(
        "recommendation", "part"
    )
    stored = {}
    for response in responses:
        letter = response.part.letter if response.part else None
        stored[(response.recommendation.number, letter)] = plain(response.text)
    assert len(expected) == 69
    assert stored == expected


@pytest.mark.django_db
def test_recommendations_2_and_19_are_answered_part_by_part_and_24_and_26_as_a_whole(reference_data):
    responses = LocalResponse.objects.filter(authority__slug="central-bedfordshire")
    for number, parts in PART_COUNTS.items():
        answers = responses.filter(recommendation__number=number)
        if number in ANSWERED_PART_BY_PART:
            assert answers.filter(part__isnull=False).count() == parts
            assert not answers.filter(part__isnull=True).exists()
        else:
            assert answers.count() == 1
            assert answers.get().part is None


@pytest.mark.django_db
def test_the_working_together_revision_links_to_exactly_the_17_recommendations_seed_004_states(
    reference_data,
):
    in_seed = {int(n) for n in re.findall(r"\(recommendation (\d+)\)", seed_text(WORKING_TOGETHER_SEED))}
    assert in_seed == WORKING_TOGETHER_RECS
    revision = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    assert revision.source_document == WORKING_TOGETHER_SEED
    links = revision.links.select_related("recommendation")
    assert {link.recommendation.number for link in links} == WORKING_TOGETHER_RECS
    assert {link.basis for link in links} == {"stated"}


@pytest.mark.django_db
@pytest.mark.parametrize("model", SOURCED_MODELS, ids=lambda model: model.__name__)
def test_every_shipped_record_names_a_seed_file_and_a_place_in_it(reference_data, model):
    seed_files = {path.name for path in Path(settings.SEEDS_DIR).iterdir()}
    records = list(model.objects.all())
    assert records, f"no {model.__name__} shipped"
    for record in records:
        assert record.source_document in seed_files, f"{model.__name__} {record.pk}"
        assert record.source_reference.strip(), f"{model.__name__} {record.pk}"


@pytest.mark.django_db
def test_every_local_response_has_exactly_one_progress_update_with_its_status(reference_data):
    for response in LocalResponse.objects.prefetch_related("updates"):
        updates = list(response.updates.all())
        assert len(updates) == 1, f"response {response.pk}"
        assert updates[0].status_after == response.status, f"response {response.pk}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, field",
    [
        (LocalResponse, "text"),
        (ImplicationRow, "text"),
        (Commitment, "text"),
        (Meeting, "report_summary"),
        (Decision, "record"),
        (Decision, "decisions"),
        (Decision, "reasons"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_other_quoted_text_is_found_line_by_line_in_its_seed(reference_data, model, field):
    for record in model.objects.all():
        seed = plain(seed_text(record.source_document))
        for line in getattr(record, field).splitlines():
            if line.strip():
                assert plain(line) in seed, f"{model.__name__} {record.pk}: {line[:60]}"


@pytest.mark.django_db
def test_every_shipped_record_passes_model_validation(reference_data):
    for model in SOURCED_MODELS:
        for record in model.objects.all():
            record.full_clean()


def test_rebuilding_the_fixture_reproduces_the_committed_file_byte_for_byte(tmp_path):
    output = tmp_path / "reference.json"
    subprocess.run(
        [sys.executable, str(BUILDER), "--seeds", str(settings.SEEDS_DIR), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    assert output.read_bytes() == FIXTURE.read_bytes()
