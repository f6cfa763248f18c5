"""Any English council can join: an administrator adds one on a page or many from a spreadsheet, and a
council with no responses yet works on every page. The four shipped councils carry their ONS codes."""

import csv
import io
import re
import smtplib
import zipfile
from unittest import mock

import docx
import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from authorities.council_forms import NewCouncil
from authorities.councils import COLUMNS, CouncilsClashError, add_councils
from authorities.models import ONS_CODE, Authority, ImplicationRow, Invitation, Membership
from fixtures.reference.building import councils as fixture_councils
from responses.models import LocalResponse

from .conftest import make_user
from .helpers import visible_text
from .pdftools import pdf_text
from .test_dashboards import table_rows
from .worker import fetch_pdf

HEADINGS = [heading for _, heading in COLUMNS]
NOT_ADMINISTRATORS = (
    "officer_darlington",
    "chair_darlington",
    "clerk_darlington",
    "council_admin_darlington",
    "outsider",
)
ONS_CODE_MESSAGE = (
    "Enter the council's ONS code: E06, E07, E08, E09 or E10 followed by six digits, for example E06000005"
)


def today():
    return f"{timezone.localdate():%-d %B %Y}"


def hartlepool(**changes):
    """What an administrator types to add Hartlepool, a council the tracker does not ship."""
    return {
        "name": "Hartlepool Borough Council",
        "short_name": "",
        "slug": "",
        "ons_code": "E06000001",
        "region": "north_east",
        "lscb_name": "Hartlepool Safeguarding Children Board",
        "childrens_trust_name": "Hartlepool Children's Trust",
        "directorate": "Child and Adult Services",
        "director_name": "Sally Robinson",
        "director_title": "Director of Child and Adult Services",
        "contact_officer": "Jo Bloggs",
        "contact_details": "Extension 1234",
        "implication_1_heading": "S17 Crime and Disorder",
        "implication_1_text": "Safeguarding is linked to crime and disorder.",
        # Row 2 left empty: rows are kept in order, gaps closed.
        "implication_3_heading": "Hartlepool: Ambitious Town",
        "implication_3_text": "Part of the community strategy: Healthy, Safer and Stronger Hartlepool.",
        "first_administrator_email": "jo.bloggs@hartlepool.example.org",
        **changes,
    }


def everything():
    """Every council and implications row as it stands: what a refused attempt must leave alone."""
    return (
        list(Authority.objects.order_by("pk").values()),
        list(ImplicationRow.objects.order_by("pk").values()),
    )


def add_hartlepool(client, **changes):
    return client.post(reverse("authorities:new"), hartlepool(**changes))


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


# Adding a council on the page


def test_an_administrator_adds_a_council_with_its_implications_table(admin_client):
    response = add_hartlepool(admin_client)
    assert response.status_code == 302
    assert response["Location"] == "/authorities/hartlepool/"
    council = Authority.objects.get(slug="hartlepool")
    assert council.name == "Hartlepool Borough Council"
    assert council.short_name == "Hartlepool"  # made from the name
    assert (council.ons_code, council.region) == ("E06000001", "north_east")
    assert council.director_title == "Director of Child and Adult Services"
    assert [(row.order, row.heading) for row in council.implication_rows.all()] == [
        (1, "S17 Crime and Disorder"),
        (2, "Hartlepool: Ambitious Town"),
    ]
    assert council.source_citation == f"Added by admin.test on {today()}"

    page = admin_client.get(response["Location"])
    text = visible_text(page)
    assert "Hartlepool Borough Council has been added." in text
    assert (
        "An invitation to be its council administrator has been sent to jo.bloggs@hartlepool.example.org."
        in text
    )
    (invitation,) = Invitation.objects.filter(authority=council)
    assert (invitation.email, invitation.roles) == ("jo.bloggs@hartlepool.example.org", ["council_admin"])
    (message,) = mail.outbox
    assert message.to == ["jo.bloggs@hartlepool.example.org"]
    assert "Hartlepool Borough Council" in message.subject
    assert "ONS code E06000001 Region North East" in text
    assert "Responses recorded 0 of 58 recommendations (0 responses" in text
    assert f"Source: Added by admin.test on {today()}" in text
    assert (
        "Hartlepool: Ambitious Town Part of the community strategy: Healthy, Safer and Stronger Hartlepool."
        in text
    )


def test_a_council_whose_first_administrator_cannot_be_mailed_is_not_added(admin_client):
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("gone")):
        response = add_hartlepool(admin_client)
    assert response.status_code == 200
    assert "The invitation to the first administrator could not be sent, so nothing has been added." in (
        visible_text(response)
    )
    assert not Authority.objects.filter(slug="hartlepool").exists()
    assert not Invitation.objects.exists()


def test_an_administrator_by_membership_alone_may_add_a_council(client, administrator_not_superuser):
    client.force_login(administrator_not_superuser)
    assert client.get(reverse("authorities:new")).status_code == 200
    assert add_hartlepool(client).status_code == 302
    assert Authority.objects.filter(ons_code="E06000001").exists()


def test_the_council_list_offers_administrators_the_ways_to_add_councils(
    client, administrator, officer_darlington
):
    client.force_login(administrator)
    assert "Add a council Add councils from a spreadsheet" in visible_text(
        client.get(reverse("authorities:list"))
    )
    client.force_login(officer_darlington)
    assert "Add a council" not in visible_text(client.get(reverse("authorities:list")))


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
def test_only_administrators_add_councils_and_a_refused_post_changes_nothing(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = everything()
    assert client.get(reverse("authorities:new")).status_code == 403
    assert client.get(reverse("authorities:upload")).status_code == 403
    assert client.get(reverse("authorities:upload_template", args=["csv"])).status_code == 403
    assert add_hartlepool(client).status_code == 403
    upload = SimpleUploadedFile("councils.csv", csv_file([hartlepool_row()]))
    assert client.post(reverse("authorities:upload"), {"file": upload}).status_code == 403
    assert everything() == before


def test_a_confirm_made_by_an_administrator_is_refused_to_anyone_else(
    client, administrator, council_admin_darlington
):
    client.force_login(administrator)
    payload = checked_payload(client, csv_file([hartlepool_row()]))
    client.force_login(council_admin_darlington)
    before = everything()
    assert client.post(reverse("authorities:upload_confirm"), {"councils": payload}).status_code == 403
    assert everything() == before


@pytest.mark.parametrize(
    "typed, stored",
    [("E06000001", "E06000001"), ("e06 000001", "E06000001"), (" E10000002 ", "E10000002")],
)
def test_an_ons_code_is_stored_as_the_ons_writes_it(admin_client, typed, stored):
    assert add_hartlepool(admin_client, ons_code=typed).status_code == 302
    assert Authority.objects.get(slug="hartlepool").ons_code == stored


@pytest.mark.parametrize(
    "ons_code",
    [
        "E05000001",  # an electoral ward's code, not a council's
        "E0600001",  # five digits
        "E060000011",  # seven
        "W06000001",  # a Welsh council
        "S12000033",  # a Scottish one
        "Darlington",
    ],
)
def test_a_code_that_is_not_an_english_councils_is_refused_plainly_and_nothing_changes(
    admin_client, ons_code
):
    before = everything()
    response = add_hartlepool(admin_client, ons_code=ons_code)
    assert response.status_code == 200
    text = visible_text(response)
    assert text.startswith("Error: Add a council")
    assert f"There is a problem {ONS_CODE_MESSAGE}" in text
    assert everything() == before


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ons_code": ""}, "Enter the council's ONS code"),
        ({"name": ""}, "Enter the council's name"),
        ({"region": ""}, "Select the council's region"),
        ({"region": "wales"}, "Region must be one of England's nine regions, for example North East"),
        (
            {"slug": "darlington"},
            "The slug “darlington” is already used by Darlington Borough Council. Enter a different slug",
        ),
        # The slug made from the short name clashes too, and says where it came from.
        (
            {"name": "Darlington Council"},
            "The slug “darlington”, made from the short name, is already used by Darlington Borough Council",
        ),
        ({"slug": "new"}, "The slug “new” cannot be used: /authorities/new/ is the page that adds a council"),
        (
            {"slug": "Hartlepool Council"},
            "The slug must only include lower-case letters, numbers and hyphens",
        ),
        ({"ons_code": "E06000005"}, "The ONS code E06000005 is already used by Darlington Borough Council"),
        (
            {"name": "darlington borough council", "slug": "dbc"},
            "darlington borough council is already in the tracker",
        ),
        (
            {"implication_2_heading": "Wards Affected"},
            "Implications row 2 has a heading but no text: enter its text",
        ),
        (
            {"implication_4_text": "All wards."},
            "Implications row 4 has text but no heading: enter its heading",
        ),
        (
            {"first_administrator_email": "jo.bloggs"},
            "Enter the first administrator's email address in the correct format, like name@example.com",
        ),
        ({"name": "H" * 151}, "Name must be 150 characters or fewer"),
    ],
)
def test_what_cannot_be_added_is_refused_with_a_clear_message_and_nothing_changes(
    admin_client, changes, message
):
    before = everything()
    response = add_hartlepool(admin_client, **changes)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert everything() == before


def test_the_form_keeps_what_was_typed_when_it_is_refused(admin_client):
    html = add_hartlepool(admin_client, ons_code="E0600001").content.decode()
    assert 'value="Hartlepool Safeguarding Children Board"' in html
    assert ">Part of the community strategy: Healthy, Safer and Stronger Hartlepool.</textarea>" in html


def test_an_empty_post_is_refused_with_the_required_fields_named(admin_client):
    before = everything()
    text = visible_text(admin_client.post(reverse("authorities:new"), {}))
    assert "Enter the council's name Enter the council's ONS code Select the council's region" in text
    assert everything() == before


# A council with no responses yet, on every page


def hartlepool_added(client):
    add_hartlepool(client)
    return Authority.objects.get(slug="hartlepool")


def test_a_new_council_is_in_the_list_with_none_of_the_58_answered(admin_client):
    hartlepool_added(admin_client)
    text = visible_text(admin_client.get(reverse("authorities:list")))
    assert (
        "Hartlepool Borough Council E06000001 North East Hartlepool Safeguarding Children Board 0 of 58"
        in text
    )
    assert "Darlington Borough Council E06000005 North East Darlington LSCB 8 of 58" in text


def test_a_new_councils_dashboard_counts_58_recommendations_with_no_response(admin_client):
    hartlepool_added(admin_client)
    page = admin_client.get(reverse("authorities:detail", args=["hartlepool"]))
    assert page.status_code == 200
    html = page.content.decode()
    statuses = table_rows(html, "status-table")
    assert statuses["All themes"] == ["0"] * 7 + ["58"]
    assert statuses["Children's workforce"] == ["0"] * 7 + ["13"]
    assert table_rows(html, "rag-table")["All themes"] == ["0"] * 4
    text = visible_text(page)
    assert "Past their target date (0) Nothing is past its target date." in text
    assert "Not updated for 90 days (0) No response has been recorded yet." in text
    assert "Hartlepool has recorded no responses yet, so none is rated." in text
    assert "rag-chart-title" not in html  # an empty chart says nothing; the sentence does
    assert "Recently changed No changes recorded yet." in text


def test_a_new_council_is_compared_with_the_others_with_58_recommendations_unanswered(admin_client):
    hartlepool_added(admin_client)
    url = reverse("responses:comparison")
    page = admin_client.get(url)
    assert "58 recommendations, 5 councils" in visible_text(page)
    assert table_rows(page.content.decode(), "council-summary")["Hartlepool"] == ["0"] * 7 + ["58", "0"]
    # Chosen alone, it is a column of 58 "No response" cells, not an empty matrix.
    alone = admin_client.get(url + "?council=hartlepool")
    assert "58 recommendations, 1 council" in visible_text(alone)
    matrix = re.search(r'<table[^>]*id="matrix".*?</table>', alone.content.decode(), re.S).group(0)
    assert matrix.count(">No response</a>") == 58
    assert reverse("responses:detail", args=["hartlepool", 24]) in matrix
    # With a status, its responses must match it, and it has none.
    assert "0 recommendations, 1 council" in visible_text(
        admin_client.get(url + "?council=hartlepool&status=complete")
    )


def test_the_comparison_filters_councils_by_region(admin_client):
    hartlepool_added(admin_client)
    url = reverse("responses:comparison")
    north_east = admin_client.get(url + "?region=north_east")
    assert "58 recommendations, 4 councils" in visible_text(north_east)
    assert list(table_rows(north_east.content.decode(), "council-summary")) == [
        "Darlington",
        "Hartlepool",
        "Newcastle",
        "Stockton-on-Tees",
        "All 4 councils",
    ]
    east = admin_client.get(url + "?region=east_of_england")
    assert list(table_rows(east.content.decode(), "council-summary")) == ["Central Bedfordshire"]
    assert "58 recommendations, 0 councils" in visible_text(admin_client.get(url + "?region=london"))
    refused = admin_client.get(url + "?region=wales")
    assert "There is a problem" in visible_text(refused)


def test_a_new_councils_responses_filter_and_exports_say_no_response_recorded(admin_client):
    hartlepool_added(admin_client)
    assert "0 responses" in visible_text(admin_client.get(reverse("responses:list") + "?council=hartlepool"))
    listed = admin_client.get(reverse("responses:export", args=["csv"]) + "?council=hartlepool")
    assert len(list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))) == 1  # the headings

    exported = admin_client.get(reverse("responses:council_export", args=["hartlepool", "csv"]))
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 58
    assert {row["Status"] for row in rows} == {"No response recorded"}
    assert {row["Council"] for row in rows} == {"Hartlepool Borough Council"}

    workbook = openpyxl.load_workbook(
        io.BytesIO(admin_client.get(reverse("responses:council_export", args=["hartlepool", "xlsx"])).content)
    )
    sheet = list(workbook.active.iter_rows(values_only=True))
    status = sheet[0].index("Status")
    assert len(sheet) == 1 + 58
    assert {row[status] for row in sheet[1:]} == {"No response recorded"}


def test_a_new_councils_cabinet_report_quick_draft_says_none_of_the_58_is_answered_yet(admin_client):
    council = hartlepool_added(admin_client)
    word = docx.Document(
        io.BytesIO(admin_client.get(reverse("authorities:cabinet_report_docx", args=["hartlepool"])).content)
    )
    text = " ".join(paragraph.text for paragraph in word.paragraphs)
    assert "The Council has recorded 0 responses covering 0 of the 58 recommendations" in text
    assert "Hartlepool has not yet recorded a response to any of the 58 recommendations: 1." in text
    assert "Director of Child and Adult Services" in text
    pdf = pdf_text(
        fetch_pdf(admin_client, reverse("authorities:cabinet_report_pdf", args=["hartlepool"])).content
    )
    assert "The Council has recorded 0 responses covering 0 of the 58 recommendations" in pdf
    assert "Hartlepool has not yet recorded a response to any of the 58 recommendations" in pdf
    # Its own implications table, not the standard headings.
    assert "Hartlepool: Ambitious Town" in pdf
    assert "Wards Affected" not in pdf
    assert LocalResponse.objects.filter(authority=council).count() == 0


def test_a_new_councils_officer_sees_58_recommendations_to_answer(client, admin_client):
    council = hartlepool_added(admin_client)
    client.force_login(make_user("officer.hartlepool", council, Membership.Role.OFFICER))
    text = visible_text(client.get(reverse("home")))
    assert "What Hartlepool needs to do next" in text
    assert "No response yet (58)" in text
    assert "Not updated for 90 days (0) No response has been recorded yet." in text
    assert client.get(reverse("responses:edit", args=["hartlepool", 24])).status_code == 200
    assert client.get(reverse("recommendations:commitments") + "?council=hartlepool").status_code == 200


# Adding councils from a spreadsheet


def hartlepool_row(**changes):
    """Hartlepool as a spreadsheet row, column by column."""
    data = hartlepool(**{"region": "North East", **changes})
    return [data.get(name, "") for name, _ in COLUMNS]


def row_of(name, ons_code, **changes):
    return hartlepool_row(
        name=name,
        ons_code=ons_code,
        first_administrator_email="",
        lscb_name=f"{name} LSCB",
        **changes,
    )


THREE_COUNCILS = [
    row_of("Middlesbrough Council", "E06000002"),
    row_of("Redcar and Cleveland Borough Council", "E06000003", region="north east"),
    row_of("Royal Borough of Kingston upon Thames", "E09000021", region="London", slug="kingston"),
]


def xlsx_file(rows, headings=HEADINGS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(rows, headings=HEADINGS):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(client, content, name="councils.xlsx"):
    return client.post(reverse("authorities:upload"), {"file": SimpleUploadedFile(name, content)})


def checked_payload(client, content, name="councils.csv"):
    page = upload(client, content, name)
    assert page.status_code == 200
    found = re.search(r'name="councils" value="([^"]+)"', page.content.decode())
    assert found, visible_text(page)
    return found.group(1)


@pytest.mark.parametrize("make, name", [(xlsx_file, "north-east.xlsx"), (csv_file, "north-east.csv")])
def test_three_councils_are_checked_shown_then_added_from_a_spreadsheet(admin_client, make, name):
    before = Authority.objects.count()
    check = upload(admin_client, make(THREE_COUNCILS), name)
    text = visible_text(check)
    assert "Every row has been checked. 3 councils will be added, each with no responses yet." in text
    assert "Nothing has been added so far." in text
    assert (
        "2 Middlesbrough Council Short name: Middlesbrough middlesbrough E06000002 North East "
        "Middlesbrough Council LSCB 2 Not given"
    ) in text
    assert (
        "3 Redcar and Cleveland Borough Council Short name: Redcar and Cleveland redcar-and-cleveland" in text
    )
    assert (
        "4 Royal Borough of Kingston upon Thames Short name: Kingston upon Thames kingston E09000021" in text
    )
    assert "Add these 3 councils" in text
    assert Authority.objects.count() == before  # nothing yet

    payload = re.search(r'name="councils" value="([^"]+)"', check.content.decode()).group(1)
    added = admin_client.post(reverse("authorities:upload_confirm"), {"councils": payload})
    assert added.status_code == 302
    assert added["Location"] == reverse("authorities:list")
    assert Authority.objects.count() == before + 3
    kingston = Authority.objects.get(slug="kingston")
    assert (kingston.ons_code, kingston.get_region_display()) == ("E09000021", "London")
    assert kingston.source_citation == f"{name}, row 4, uploaded by admin.test on {today()}"
    rows = list(kingston.implication_rows.all())
    assert [row.heading for row in rows] == ["S17 Crime and Disorder", "Hartlepool: Ambitious Town"]
    assert (
        rows[1].source_citation == f"{name}, row 4, uploaded by admin.test on {today()}, implications row 2"
    )

    listing = visible_text(admin_client.get(added["Location"]))
    assert f"3 councils added from {name}." in listing
    assert (
        "Royal Borough of Kingston upon Thames E09000021 London "
        "Royal Borough of Kingston upon Thames LSCB 0 of 58" in listing
    )


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(admin_client):
    text = visible_text(upload(admin_client, xlsx_file(THREE_COUNCILS), "north-east.csv"))
    assert "Every row has been checked. 3 councils will be added, each with no responses yet." in text


def test_excels_plain_csv_in_windows_1252_is_read_with_its_apostrophes(admin_client):
    name = "King’s Lynn and West Norfolk Borough Council"
    content = csv_file([row_of(name, "E07000146", slug="kings-lynn")]).decode("utf-8").encode("cp1252")
    text = visible_text(upload(admin_client, content, "norfolk.csv"))
    assert "Every row has been checked. 1 council will be added" in text
    assert f"2 {name} Short name:" in text


def test_confirming_the_same_councils_twice_adds_them_once(admin_client):
    payload = checked_payload(admin_client, csv_file(THREE_COUNCILS))
    confirm = reverse("authorities:upload_confirm")
    assert admin_client.post(confirm, {"councils": payload}).status_code == 302
    before = everything()
    again = admin_client.post(confirm, {"councils": payload})
    text = visible_text(again)
    assert "Nothing has been added. councils.csv has 9 problems in 3 rows." in text
    assert "Row 2: Middlesbrough Council is already in the tracker" in text
    assert everything() == before


def test_a_council_added_between_the_check_and_the_confirm_stops_the_whole_file(admin_client):
    payload = checked_payload(admin_client, csv_file(THREE_COUNCILS))
    add_hartlepool(admin_client, name="Middlesbrough Borough Council", ons_code="E06000002", slug="boro")
    before = everything()
    text = visible_text(admin_client.post(reverse("authorities:upload_confirm"), {"councils": payload}))
    assert "Nothing has been added. councils.csv has 1 problem in 1 row." in text
    assert "Row 2: The ONS code E06000002 is already used by Middlesbrough Borough Council" in text
    assert everything() == before


def test_a_confirm_that_was_altered_is_refused_and_nothing_changes(admin_client):
    payload = checked_payload(admin_client, csv_file(THREE_COUNCILS))
    before = everything()
    for altered in (payload[:-2] + "xx", "", "not a signed value"):
        response = admin_client.post(reverse("authorities:upload_confirm"), {"councils": altered})
        assert response.status_code == 400
        assert "The councils to add could not be read: nothing has been added." in visible_text(response)
    assert everything() == before


def test_a_save_that_clashes_in_the_database_adds_none_of_the_councils(administrator):
    """Two administrators confirming at once: the database's unique constraints are the last word."""
    councils = [
        NewCouncil(
            name="Middlesbrough Council",
            short_name="Middlesbrough",
            slug="middlesbrough",
            ons_code="E06000002",
            region="north_east",
        ),
        NewCouncil(
            name="Darlington Again",
            short_name="Darlington",
            slug="darlington-again",
            ons_code="E06000005",
            region="north_east",
        ),
    ]
    before = everything()
    with pytest.raises(CouncilsClashError):
        add_councils(councils=councils, by=administrator, file_name="clash.csv")
    assert everything() == before


def test_the_ons_code_is_unique_in_the_database_when_set_and_may_be_left_unset(db):
    Authority.objects.create(name="No Code One", short_name="One", slug="one")
    Authority.objects.create(name="No Code Two", short_name="Two", slug="two")
    with pytest.raises(IntegrityError), transaction.atomic():
        Authority.objects.create(name="Copy", short_name="Copy", slug="copy", ons_code="E06000005")


# Bad files: each refused with a plain message, and nothing changes


def renamed(old, new):
    return [new if heading == old else heading for heading in HEADINGS]


def zip_bomb():
    """An .xlsx whose sheet would unpack to 60 MB from a file of about 60 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    return buffer.getvalue()


def with_macros():
    buffer = io.BytesIO(xlsx_file(THREE_COUNCILS))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def with_a_doctype():
    """A workbook whose workbook part declares an XML entity and names its sheet with it (a "billion
    laughs" starts so; openpyxl reads that part with lxml, which would expand it): refused unopened."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_file(THREE_COUNCILS)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
                body = re.sub(rb'(<sheet [^>]*name=")[^"]*"', rb'\1&lol;"', body, count=1)
                data = b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY lol "Councils">]>' + body
            out.writestr(item, data)
    return buffer.getvalue()


def with_a_formula():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_file(THREE_COUNCILS)))
    workbook.active["B3"] = "=LEFT(A3, 7)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_a_cell_a_million_rows_down():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_file(THREE_COUNCILS)))
    workbook.active["A1048576"] = "far below"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NOT_A_SPREADSHEET = (
    "The selected file must be an Excel workbook (.xlsx) or a CSV file. Start from the template on this page."
)


BAD_FILES = {
    "not a spreadsheet": (
        "councils.txt",
        b"Middlesbrough, Redcar",
        NOT_A_SPREADSHEET,
    ),
    "a PDF named .xlsx": (
        "councils.xlsx",
        b"%PDF-1.7\n" + b"x" * 200,
        NOT_A_SPREADSHEET,
    ),
    "a damaged workbook": (
        "councils.xlsx",
        xlsx_file(THREE_COUNCILS)[:-300],
        NOT_A_SPREADSHEET,
    ),
    "a binary file named .csv": ("councils.csv", b"\x00\x01\x02\xff" * 50, NOT_A_SPREADSHEET),
    "a workbook declaring XML entities": ("councils.xlsx", with_a_doctype(), NOT_A_SPREADSHEET),
    "an empty file": ("councils.csv", b"", "The selected file is empty"),
    "the headings only": ("councils.csv", csv_file([]), "The file has no councils in it."),
    "a missing column": (
        "councils.csv",
        csv_file([row[:3] + row[4:] for row in THREE_COUNCILS], HEADINGS[:3] + HEADINGS[4:]),
        "The file has no column “ONS code”. Start from the template: its first row names every column",
    ),
    "a renamed column": (
        "councils.xlsx",
        xlsx_file(THREE_COUNCILS, renamed("ONS code", "ONS reference")),
        "The file has no column “ONS code”. "
        "The file has a column the tracker does not know: “ONS reference”.",
    ),
    "the same column twice": (
        "councils.csv",
        csv_file([row + [row[0]] for row in THREE_COUNCILS], [*HEADINGS, HEADINGS[0]]),
        f"The file has a column the tracker does not know: “{HEADINGS[0]}”.",
    ),
    "an implications heading without its text column": (
        "councils.csv",
        csv_file([row[:-1] for row in THREE_COUNCILS], HEADINGS[:-1]),
        "The file has no column “Implications row 12 text”.",
    ),
    "a bad ONS code": (
        "councils.csv",
        csv_file([THREE_COUNCILS[0], row_of("Redcar and Cleveland Borough Council", "E6000003")]),
        f"Row 3: {ONS_CODE_MESSAGE}",
    ),
    "an unknown region": (
        "councils.csv",
        csv_file([row_of("Middlesbrough Council", "E06000002", region="Teesside")]),
        "Row 2: Region must be one of England's nine regions, for example North East",
    ),
    "a duplicate slug within the file": (
        "councils.csv",
        csv_file(
            [THREE_COUNCILS[0], row_of("Middlesbrough Borough Council", "E06000003", slug="middlesbrough")]
        ),
        "Row 3: The slug “middlesbrough” is already used by row 2 of this file. Enter a different slug",
    ),
    "a duplicate ONS code within the file": (
        "councils.csv",
        csv_file([THREE_COUNCILS[0], row_of("Redcar and Cleveland Borough Council", "e06000002")]),
        "Row 3: The ONS code E06000002 is already used by row 2 of this file",
    ),
    "a duplicate slug against the tracker": (
        "councils.csv",
        csv_file([row_of("Newcastle upon Tyne City Council", "E08000099", slug="newcastle")]),
        "Row 2: The slug “newcastle” is already used by Newcastle City Council. Enter a different slug",
    ),
    "a duplicate ONS code against the tracker": (
        "councils.csv",
        csv_file([row_of("Stockton Council", "E06000004", slug="stockton")]),
        "Row 2: The ONS code E06000004 is already used by Stockton-on-Tees Borough Council",
    ),
    "a value in the first column beyond the headings": (
        "councils.csv",
        csv_file([THREE_COUNCILS[0], THREE_COUNCILS[1] + ["Stray note"]]),
        "Row 3: A cell is beyond the last column with a heading",
    ),
    "a formula": ("councils.xlsx", with_a_formula(), "Row 3 holds a formula (in cell B3)."),
    "macros": ("councils.xlsm.xlsx", with_macros(), "The selected file contains macros."),
    "a zip bomb": (
        "councils.xlsx",
        zip_bomb(),
        "it would unpack to far more than a spreadsheet of councils (over 50 MB)",
    ),
    "1,001 councils": (
        "councils.csv",
        csv_file([row_of(f"Council {n}", f"E07{n:06d}", slug=f"c{n}") for n in range(1001)]),
        "The selected file must have 1,000 rows or fewer",
    ),
    "a cell a million rows down": (
        "councils.xlsx",
        with_a_cell_a_million_rows_down(),
        "The selected file must have 1,000 rows or fewer",
    ),
    "more than 5 MB": (
        "councils.csv",
        csv_file(THREE_COUNCILS) + b" " * (5 * 1024 * 1024),
        "The selected file must be smaller than 5 MB",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_a_plain_message_and_nothing_changes(admin_client, case):
    name, content, message = BAD_FILES[case]
    before = everything()
    response = upload(admin_client, content, name)
    assert response.status_code == 200
    text = visible_text(response)
    assert text.startswith("Error: Add councils from a spreadsheet")
    assert message in text
    assert 'name="councils"' not in response.content.decode()  # nothing to confirm
    assert everything() == before


def test_each_rows_problems_are_listed_by_row_number(admin_client):
    rows = [
        row_of("Middlesbrough Council", "E06000002"),
        row_of("", "E06000003"),
        row_of("Kingston", "E09000021", region="", implication_3_text=""),
    ]
    text = visible_text(upload(admin_client, xlsx_file(rows)))
    assert (
        "Nothing has been added. councils.xlsx has 3 problems in 2 rows. "
        "Correct them and upload the file again." in text
    )
    assert (
        "Row 3: Enter the council's name "
        "Row 4: Select the council's region "
        "Row 4: Implications row 3 has a heading but no text: enter its text"
    ) in text


def test_an_upload_without_a_file_is_refused(admin_client):
    before = everything()
    text = visible_text(admin_client.post(reverse("authorities:upload"), {}))
    assert "There is a problem Select a spreadsheet of councils" in text
    assert everything() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_every_column_and_comes_back_as_a_council(admin_client, fmt):
    response = admin_client.get(reverse("authorities:upload_template", args=[fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="laming-councils-template.{fmt}"'
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["Councils", "Guidance"]
        assert [cell.value for cell in workbook["Councils"][1]] == HEADINGS
        guidance = {row[0]: row[1] for row in workbook["Guidance"].iter_rows(min_row=2, values_only=True)}
        assert guidance["ONS code"].startswith("Required. The Office for National Statistics' code")
        workbook["Councils"].append(hartlepool_row())
        buffer = io.BytesIO()
        workbook.save(buffer)
        filled = buffer.getvalue()
    else:
        headings = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert headings == HEADINGS
        filled = response.content + csv_file([hartlepool_row()]).split(b"\r\n", 1)[1]
    text = visible_text(upload(admin_client, filled, f"template.{fmt}"))
    assert "1 council will be added" in text
    assert "2 Hartlepool Borough Council Short name: Hartlepool hartlepool E06000001 North East" in text


# The four shipped councils


SHIPPED = {
    "darlington": ("E06000005", "North East"),
    "newcastle": ("E08000021", "North East"),
    "stockton-on-tees": ("E06000004", "North East"),
    "central-bedfordshire": ("E06000056", "East of England"),
}


@pytest.mark.parametrize("slug", SHIPPED)
def test_the_shipped_councils_have_their_ons_codes_and_regions_with_their_source(
    client, chair_darlington, slug
):
    council = Authority.objects.get(slug=slug)
    assert (council.ons_code, council.get_region_display()) == SHIPPED[slug]
    client.force_login(chair_darlington)
    text = visible_text(client.get(council.get_absolute_url()))
    assert f"ONS code {SHIPPED[slug][0]} Region {SHIPPED[slug][1]}" in text
    assert (
        "Source of the ONS code and region: Office for National Statistics, register of local authority "
        "codes (added by the tracker: the council's documents do not give them)"
    ) in text


def test_the_reference_builders_rule_for_ons_codes_and_regions_is_the_apps(db):
    assert fixture_councils.ONS_CODE.pattern == ONS_CODE.pattern
    assert set(Authority.Region.values) == fixture_councils.REGIONS
    for council in Authority.objects.all():
        council.full_clean()


def test_a_confirm_after_an_hour_is_refused_and_nothing_changes(admin_client, monkeypatch):
    payload = checked_payload(admin_client, csv_file(THREE_COUNCILS))
    monkeypatch.setattr("authorities.council_views.CONFIRM_WITHIN_SECONDS", -1)
    before = everything()
    text = visible_text(admin_client.post(reverse("authorities:upload_confirm"), {"councils": payload}))
    assert "The check has expired: nothing has been added. Upload the file again" in text
    assert everything() == before
