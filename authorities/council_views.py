"""Adding councils: one on a page, or many from a spreadsheet, checked, shown and then confirmed.
Administrators only (access.check_can_add_councils).

What the administrator confirms travels with the confirm, signed, rather than in a session or a file
on one server: the confirm checks the signature, checks every council again against the tracker as it
is then, and adds them all in one transaction or none.
"""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from laming.forms import bound_data

from .access import check_can_add_councils
from .council_forms import CouncilForm, NewCouncil
from .councils import (
    COUNCIL_FILES,
    CouncilsClashError,
    add_councils,
    check_councils,
    csv_template,
    read_sheet,
    recheck,
    xlsx_template,
)
from .spreadsheets import SpreadsheetError

UPLOAD_SALT = "authorities.council_views.upload"
# Time to read the check page and confirm; after that the file is uploaded again.
CONFIRM_WITHIN_SECONDS = 60 * 60


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a spreadsheet of councils",
        error_messages={
            "required": "Select a spreadsheet of councils",
            "empty": "The selected file is empty",
            "invalid": "Select a spreadsheet of councils",
        },
    )


def refused(message) -> UploadForm:
    """The upload form, empty, showing `message` against its file box (the confirm has no file)."""
    form = UploadForm(data={}, files={})
    form.is_valid()
    form.errors["file"] = form.error_class([message])
    return form


INVITATION_NOT_SENT = (
    "The invitation to the first administrator could not be sent, so nothing has been added. "
    "Try again later, or leave the address out and invite them from the council's people page"
)


def new_council(request):
    """An administrator adds a council, with its implications table and its first administrator."""
    check_can_add_councils(request)
    form = CouncilForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            [added] = add_councils(councils=[form.new_council()], by=request.user)
        except CouncilsClashError as error:
            form.add_error(None, str(error))
        except OSError:  # the mail server refused the invitation or did not answer
            form.add_error(None, INVITATION_NOT_SENT)
        else:
            messages.success(request, f"{added.authority.name} has been added.")
            if added.first_administrator_email:
                messages.info(
                    request,
                    f"An invitation to be its council administrator has been sent to "
                    f"{added.first_administrator_email}.",
                )
            return redirect(added.authority.get_absolute_url())
    return render(
        request,
        "authorities/council_new.html",
        {"form": form, "implication_rows": form.implication_fields(), "nav": "authorities"},
    )


def upload_page(request, form, *, problems=(), file_name="", status=200):
    return render(
        request,
        "authorities/council_upload.html",
        {
            "form": form,
            "problems": problems,
            "problem_rows": len({problem.row for problem in problems}),
            "file_name": file_name,
            "max_megabytes": COUNCIL_FILES.megabytes,
            "nav": "authorities",
        },
        status=status,
    )


def upload_councils(request):
    """A spreadsheet of councils: every row checked; the problems by row, or the councils to confirm."""
    check_can_add_councils(request)
    form = UploadForm(bound_data(request), request.FILES if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return upload_page(request, form)
    upload = form.cleaned_data["file"]
    file_name = PurePath(upload.name).name
    try:
        checked = check_councils(read_sheet(upload), file_name)
    except SpreadsheetError as error:
        form.add_error("file", str(error))
        return upload_page(request, form, file_name=file_name)
    if checked.problems:
        return upload_page(request, form, problems=checked.problems, file_name=file_name)
    payload = signing.dumps(
        {"file": file_name, "councils": [council.as_json() for council in checked.councils]},
        salt=UPLOAD_SALT,
        compress=True,
    )
    return render(
        request,
        "authorities/council_upload_check.html",
        {"checked": checked, "payload": payload, "nav": "authorities"},
    )


@require_POST
def confirm_upload(request):
    """Add the councils the administrator has checked, if they can all still be added."""
    check_can_add_councils(request)
    try:
        payload = signing.loads(
            request.POST.get("councils", ""), salt=UPLOAD_SALT, max_age=CONFIRM_WITHIN_SECONDS
        )
        councils = [NewCouncil.from_json(council) for council in payload["councils"]]
        file_name = str(payload["file"])
    except signing.SignatureExpired:
        return upload_page(
            request, refused("The check has expired: nothing has been added. Upload the file again")
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        message = "The councils to add could not be read: nothing has been added. Upload the file again"
        return upload_page(request, refused(message), status=400)
    checked = recheck(councils, file_name)
    if checked.problems:
        return upload_page(request, UploadForm(), problems=checked.problems, file_name=file_name)
    try:
        added = add_councils(councils=checked.councils, by=request.user, file_name=file_name)
    except CouncilsClashError as error:
        return upload_page(request, refused(str(error)), file_name=file_name)
    except OSError:  # the mail server refused an invitation or did not answer
        return upload_page(request, refused(INVITATION_NOT_SENT), file_name=file_name)
    count = len(added)
    messages.success(request, f"{count} council{'s' if count != 1 else ''} added from {file_name}.")
    invitations = [
        f"{a.first_administrator_email} ({a.authority.short_name})"
        for a in added
        if a.first_administrator_email
    ]
    if invitations:
        messages.info(
            request,
            "Invitations to be council administrator have been sent to " + ", ".join(invitations) + ".",
        )
    return redirect("authorities:list")


TEMPLATES = {
    "csv": (csv_template, "text/csv; charset=utf-8"),
    "xlsx": (xlsx_template, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def upload_template(request, fmt):
    """The spreadsheet to fill in: the columns a file of councils must have."""
    check_can_add_councils(request)
    if fmt not in TEMPLATES:
        raise Http404("Choose csv or xlsx.")
    make, content_type = TEMPLATES[fmt]
    response = HttpResponse(make(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"laming-councils-template.{fmt}")
    return response
