"""Every page in the README's "Pages" table, as each kind of user who may see it, and its error states.

A row is a page state: its address (with {placeholders} for records tests/browser/conftest.py makes),
who opens it, and, for an error state, what the user does there first (submits the form with a
mistake). To test a new page, add a row: tests/browser/test_pages.py walks them all, and
test_every_html_page_is_in_the_walk fails on a page nobody added.
"""

from collections.abc import Callable
from dataclasses import dataclass

SIGNED_OUT = "signed out"
OFFICER = "officer"
CHAIR = "chair"
CLERK = "clerk"
COUNCIL_ADMINISTRATOR = "council administrator"
ADMINISTRATOR = "administrator"
PERSONAS = (SIGNED_OUT, OFFICER, CHAIR, CLERK, COUNCIL_ADMINISTRATOR, ADMINISTRATOR)

# Who may see what (README, "Who can do what"; tests/test_access.py decides every address).
EVERYONE_SIGNED_IN = (OFFICER, CHAIR, CLERK, COUNCIL_ADMINISTRATOR, ADMINISTRATOR)
EDITORS = (OFFICER, ADMINISTRATOR)  # Darlington's officers update its responses
PAPER_PREPARERS = (OFFICER, CLERK, ADMINISTRATOR)  # ... and prepare its Cabinet reports
PEOPLE_MANAGERS = (COUNCIL_ADMINISTRATOR, ADMINISTRATOR)


@dataclass(frozen=True)
class Submit:
    """Fill in a form (field name: value; files by name: (file name, bytes)), then press its button."""

    button: str
    fields: dict | None = None
    files: dict | None = None

    def __call__(self, page):
        for name, value in (self.fields or {}).items():
            page.locator(f"main [name='{name}']").fill(value)
        for name, (file_name, content) in (self.files or {}).items():
            page.locator(f"main [name='{name}']").set_input_files(
                {"name": file_name, "mimeType": "application/octet-stream", "buffer": content}
            )
        with page.expect_navigation() as navigation:
            page.locator("main").get_by_role("button", name=self.button, exact=True).click()
        return navigation.value


@dataclass(frozen=True)
class PageState:
    path: str
    personas: tuple
    name: str = ""
    act: Callable | None = None  # what the user does after the page loads (error states)
    status: int = 200  # of the page the checks read (after `act`)
    error_summary: bool = False  # the page shows "There is a problem"
    expect: Callable | None = None  # expect(page) -> problems: checks of this page's own, at 320 px
    charts: bool = False  # the page draws SVG charts (their text is measured on every page that has any)
    heading: str = ""  # the page's h1, where the state is only known by it
    wide_axe: bool = False  # axe-core at 1280 px too: the header's menu is a row of links there

    @property
    def label(self):
        return f"{self.path} {self.name}".strip()


@dataclass(frozen=True)
class SaveAfterSomeoneElse:
    """With this edit form open, the same response is changed and saved in another tab; then this form is
    saved too, and refused: the page that shows both versions and asks what to keep."""

    def __call__(self, page):
        other = page.context.new_page()
        other.goto(page.url)
        other.locator("main [name='lead_officer']").fill("Ethan Bowes, Head of Safeguarding")
        other.locator("main [name='note']").fill("Lead officer changed.")
        with other.expect_navigation():
            other.locator("main").get_by_role("button", name="Save update", exact=True).click()
        other.close()
        page.locator("main [name='lead_officer']").fill("Jenni Cooke, Safeguarding Manager")
        page.locator("main [name='note']").fill("Lead officer named.")
        with page.expect_navigation() as navigation:
            page.locator("main").get_by_role("button", name="Save update", exact=True).click()
        return navigation.value


@dataclass(frozen=True)
class ScrollsInItsOwnRegion:
    """At 320 px, each named table is wider than the screen and scrolls sideways inside a region of its
    own, named as given, that the arrow keys scroll once it has the focus."""

    tables: dict  # table id: the region's accessible name

    def __call__(self, page):
        problems = []
        for table_id, name in self.tables.items():
            region = page.get_by_role("region", name=name, exact=True)
            if region.count() != 1 or region.locator(f"table#{table_id}").count() != 1:
                problems.append(f"table #{table_id} is not in a region named {name!r}")
                continue
            scroll_width, client_width = region.evaluate("r => [r.scrollWidth, r.clientWidth]")
            if scroll_width <= client_width:
                problems.append(f"table #{table_id} fits at 320 px: it needs no region to scroll in")
                continue
            region.focus()
            page.keyboard.press("ArrowRight")
            scrolled = region.evaluate("r => r.scrollLeft")
            region.evaluate("r => { r.scrollLeft = 0; r.blur(); }")
            if not scrolled:
                problems.append(f"the arrow keys do not scroll the region of table #{table_id}")
        return problems


def error_state(path, personas, act, status=200, name="with errors", heading=""):
    return PageState(path, personas, name=name, act=act, status=status, error_summary=True, heading=heading)


DARLINGTON = "/authorities/darlington"
REPORT_FORM_EMPTY = {
    "title": "",
    "purpose": "",
}

STATES = [
    # Open without signing in.
    PageState("/accounts/login/", (SIGNED_OUT,), wide_axe=True),
    error_state(
        "/accounts/login/",
        (SIGNED_OUT,),
        Submit("Sign in", {"username": "officer.browser-darlington", "password": "not-the-password"}),
    ),
    PageState("/accounts/password_reset/", (SIGNED_OUT,)),
    error_state(
        "/accounts/password_reset/", (SIGNED_OUT,), Submit("Send the link", {"email": "not an address"})
    ),
    PageState("/accounts/password_reset/done/", (SIGNED_OUT,)),
    PageState("/accounts/reset/done/", (SIGNED_OUT,)),
    PageState("/accounts/reset/MQ/made-up-token/", (SIGNED_OUT,), name="(a link that does not work)"),
    PageState("/invitations/{invitation_token}/", (SIGNED_OUT,)),
    error_state(
        "/invitations/{invitation_token}/",
        (SIGNED_OUT,),
        Submit("Set up my account", {"username": "", "password1": "short", "password2": "other"}),
    ),
    PageState("/reminders/unsubscribe/{unsubscribe_token}/", (SIGNED_OUT,)),
    # About the service, linked from every page's footer: the same for everyone, so as someone signed out
    # and someone signed in (every kind of user's header is checked on the other pages).
    PageState("/help/", (SIGNED_OUT, OFFICER)),
    PageState("/accessibility/", (SIGNED_OUT, OFFICER)),
    PageState("/privacy/", (SIGNED_OUT, OFFICER)),
    PageState("/cookies/", (SIGNED_OUT, OFFICER)),
    # Everyone signed in reads every council's records.
    PageState("/", EVERYONE_SIGNED_IN, wide_axe=True),
    PageState(
        "/dashboard/",
        EVERYONE_SIGNED_IN,
        charts=True,
        expect=ScrollsInItsOwnRegion(
            {
                "council-summary": "Responses to the recommendations shown, by delivery status",
                "matrix": "Recommendations against councils",
            }
        ),
    ),
    PageState("/recommendations/", EVERYONE_SIGNED_IN),
    PageState("/recommendations/24/", EVERYONE_SIGNED_IN),
    PageState("/responses/", EVERYONE_SIGNED_IN),
    PageState("/authorities/", EVERYONE_SIGNED_IN),
    PageState(
        f"{DARLINGTON}/",
        EVERYONE_SIGNED_IN,
        charts=True,
        expect=ScrollsInItsOwnRegion({"status-table": "Responses by delivery status and theme"}),
    ),
    PageState(f"{DARLINGTON}/recommendations/51/", EVERYONE_SIGNED_IN),
    PageState(f"{DARLINGTON}/reports/", EVERYONE_SIGNED_IN),
    PageState(f"{DARLINGTON}/reports/{{issued_report}}/", EVERYONE_SIGNED_IN, name="(issued)"),
    PageState("/authorities/stockton-on-tees/meetings/{stockton_cabinet}/decision/", EVERYONE_SIGNED_IN),
    PageState("/commitments/", EVERYONE_SIGNED_IN),
    PageState("/account/", EVERYONE_SIGNED_IN),
    PageState("/accounts/password_change/", (OFFICER,)),
    error_state(
        "/accounts/password_change/",
        (OFFICER,),
        Submit("Change password", {"old_password": "wrong", "new_password1": "", "new_password2": ""}),
    ),
    PageState("/accounts/password_change/done/", (OFFICER,)),
    # Darlington's officers (and administrators) update its responses.
    PageState(f"{DARLINGTON}/recommendations/51/edit/", EDITORS),
    error_state(
        f"{DARLINGTON}/recommendations/51/edit/",
        (OFFICER,),
        Submit("Save update", {"target_date_day": "31", "target_date_month": "2", "note": ""}),
    ),
    error_state(
        f"{DARLINGTON}/recommendations/24/edit/",
        (OFFICER,),
        SaveAfterSomeoneElse(),
        name="saved by someone else meanwhile",
        heading="Choose what to keep",
    ),
    PageState(f"{DARLINGTON}/recommendations/2/parts/a/edit/", (OFFICER,), name="(a first answer to a part)"),
    PageState(f"{DARLINGTON}/import/", EDITORS),
    error_state(
        f"{DARLINGTON}/import/",
        (OFFICER,),
        Submit("Check the file", files={"file": ("responses.csv", b"\x00\x01 not a spreadsheet")}),
        status=400,
        name="with a file that is not a spreadsheet",
    ),
    PageState(f"{DARLINGTON}/import/{{spreadsheet_import}}/", (OFFICER,), name="(the preview)"),
    # Assurance: Darlington's officers (and administrators) attach evidence and ask; its chairs decide.
    PageState(f"{DARLINGTON}/recommendations/51/evidence/new/", EDITORS),
    error_state(
        f"{DARLINGTON}/recommendations/51/evidence/new/",
        (OFFICER,),
        Submit("Attach the document", {"title": ""}),
        status=400,
    ),
    PageState(
        "/authorities/central-bedfordshire/recommendations/2/parts/a/evidence/new/",
        (ADMINISTRATOR,),
        name="(a part)",
    ),
    PageState(f"{DARLINGTON}/recommendations/51/assurance/request/", EDITORS),
    error_state(
        f"{DARLINGTON}/recommendations/51/assurance/request/",
        (OFFICER,),
        Submit("Ask for assurance", {"statement": ""}),
        status=400,
    ),
    PageState(
        "/authorities/central-bedfordshire/recommendations/2/parts/a/assurance/request/",
        (ADMINISTRATOR,),
        name="(a part)",
    ),
    PageState(f"{DARLINGTON}/evidence/{{evidence_document}}/withdraw/", EDITORS),
    PageState(f"{DARLINGTON}/assurance/", (CHAIR, OFFICER, ADMINISTRATOR)),
    PageState(f"{DARLINGTON}/assurance/{{assurance_response}}/", (CHAIR, OFFICER, ADMINISTRATOR)),
    error_state(
        f"{DARLINGTON}/assurance/{{assurance_response}}/", (CHAIR,), Submit("Save decision"), status=400
    ),
    # Darlington's clerks, officers and administrators prepare its papers.
    PageState(f"{DARLINGTON}/reports/new/", PAPER_PREPARERS),
    error_state(f"{DARLINGTON}/reports/new/", (CLERK,), Submit("Create the report", {"title": ""})),
    PageState(f"{DARLINGTON}/reports/{{draft_report}}/", PAPER_PREPARERS, name="(draft)"),
    PageState(f"{DARLINGTON}/reports/{{draft_report}}/edit/", PAPER_PREPARERS),
    error_state(
        f"{DARLINGTON}/reports/{{draft_report}}/edit/", (CLERK,), Submit("Save the report", REPORT_FORM_EMPTY)
    ),
    PageState(f"{DARLINGTON}/reports/{{draft_report}}/preview/", PAPER_PREPARERS),
    PageState(f"{DARLINGTON}/meetings/{{darlington_april_cabinet}}/decision/record/", PAPER_PREPARERS),
    error_state(
        f"{DARLINGTON}/meetings/{{darlington_april_cabinet}}/decision/record/",
        (CLERK,),
        Submit("Save the decision record"),
    ),
    # Darlington's council administrators (and administrators) manage its people.
    PageState(f"{DARLINGTON}/people/", PEOPLE_MANAGERS),
    PageState(f"{DARLINGTON}/people/invite/", PEOPLE_MANAGERS),
    error_state(
        f"{DARLINGTON}/people/invite/",
        (COUNCIL_ADMINISTRATOR,),
        Submit("Send the invitation", {"email": "not an address", "name": ""}),
    ),
    PageState(f"{DARLINGTON}/people/{{person}}/", PEOPLE_MANAGERS),
    # Administrators add councils, and have the admin.
    PageState("/authorities/new/", (ADMINISTRATOR,)),
    error_state("/authorities/new/", (ADMINISTRATOR,), Submit("Add the council", {"ons_code": "X"})),
    PageState("/authorities/new/upload/", (ADMINISTRATOR,)),
    error_state(
        "/authorities/new/upload/",
        (ADMINISTRATOR,),
        Submit("Check the file", files={"file": ("councils.csv", b"\x00\x01 not a spreadsheet")}),
        name="with a file that is not a spreadsheet",
    ),
    PageState("/admin/", (ADMINISTRATOR,)),
    # Refused and missing pages.
    PageState(
        "/authorities/newcastle/recommendations/51/edit/", (OFFICER,), name="(refused: 403)", status=403
    ),
    PageState(f"{DARLINGTON}/people/", (CHAIR,), name="(refused: 403)", status=403),
    PageState("/authorities/nowhere/", (OFFICER,), name="(not found: 404)", status=404),
    PageState("/recommendations/59/", (CHAIR,), name="(not found: 404)", status=404),
]

# Addresses that answer something other than a page (downloads, PDFs, health checks) or only a POST,
# so the walk leaves them out: by route name, as tests/test_access.py names them.
NOT_PAGES = {
    "logout",  # POST only
    "healthz",
    "readyz",
    "authorities:upload_confirm",
    "authorities:upload_template",
    "authorities:report_pdf",
    "authorities:report_docx",
    "authorities:report_issue",
    "authorities:cabinet_report_pdf",
    "authorities:cabinet_report_docx",
    "authorities:decision_pdf",
    "authorities:person_deactivate",
    "authorities:person_reactivate",
    "authorities:invitation_withdraw",
    "authorities:invitation_send_again",
    "authorities:import_confirm",
    "authorities:import_discard",
    "responses:export",
    "authorities:evidence",  # a download
    "responses:council_export",
}


def states_for(persona):
    return [state for state in STATES if persona in state.personas]
