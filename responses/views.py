from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from authorities.access import can_edit_responses, can_manage_people, get_authority_for_user
from authorities.models import Authority, Person
from laming.forms import as_at_of, bound_data
from recommendations.models import Recommendation, RecommendationPart

from .assurance_views import may_ask_for_assurance, timeline_of, visible_documents
from .conflicts import carried, find_conflict
from .dashboards import comparison, council_dashboard
from .exports import DOWNLOADS, council_download, rows_for_council, rows_for_responses
from .filters import ComparisonFilterSet, ResponseFilterSet, applied_filters, without_empty_parameters
from .forms import RELOAD, ConflictForm, ResponseForm, ResponseValuesForm
from .models import AssuranceStep, LocalResponse, ProgressUpdate, answer_layout
from .reminders import user_of_unsubscribe_token
from .services import StaleResponseError, record_progress


class AsAtMixin:
    """A page whose figures can be shown as at a past day (?as_at=YYYY-MM-DD); a date it cannot use is
    answered 400 with the page as it stands today and the problem named."""

    def get(self, request, *args, **kwargs):
        self.as_at = as_at_of(request)
        response = super().get(request, *args, **kwargs)
        if self.as_at.error:
            response.status_code = 400
        return response


class WithoutEmptyParametersMixin:
    """A filtered list whose address keeps only what was chosen. A GET form sends every field, chosen or
    not (?q=&action=&theme=legal): such a request is redirected (302) to the same query without its
    empty parameters, the others in the order they came, so the address can be read, shared and
    bookmarked. Works without JavaScript."""

    def get(self, request, *args, **kwargs):
        query = without_empty_parameters(request)
        if query is not None:
            return redirect(f"{request.path}?{query}" if query else request.path)
        return super().get(request, *args, **kwargs)


class CouncilDashboardView(AsAtMixin, DetailView):
    """A council's dashboard: where it stands by theme, what needs doing, and every response."""

    template_name = "responses/council_dashboard.html"
    context_object_name = "authority"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Authority.objects.prefetch_related("implication_rows"), slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **council_dashboard(self.object, self.as_at.day),
            as_at=self.as_at,
            can_edit=can_edit_responses(self.request.user, self.object),
            can_manage_people=can_manage_people(self.request.user, self.object),
            nav="authorities",
            **kwargs,
        )


# Entries of a response's progress timeline to a page. A response updated monthly for years has hundreds;
# its page shows the newest ten, and the rest a page at a time (?page=2, or ?page-b=2 for part (b)).
TIMELINE_PAGE_SIZE = 10


def timeline_parameter(part):
    """The query parameter that pages the timeline of the answer to `part` (None: the whole)."""
    return f"page-{part.letter}" if part else "page"


def requested_page(request, parameter):
    """The page number the URL asks for, 1 if it asks for none or for something that is not one."""
    try:
        return max(1, int(request.GET.get(parameter, 1)))
    except ValueError:
        return 1


class ResponseDetailView(TemplateView):
    """One council's response to one recommendation (or to each of its parts) with its progress timeline, a
    page at a time."""

    template_name = "responses/response_detail.html"

    def get_context_data(self, **kwargs):
        authority = get_object_or_404(Authority, slug=self.kwargs["slug"])
        recommendation = get_object_or_404(
            Recommendation.objects.prefetch_related("parts"), number=self.kwargs["number"]
        )
        parts = list(recommendation.parts.all())
        pages = {
            part.pk if part else None: requested_page(self.request, timeline_parameter(part))
            for part in [None, *parts]
        }
        # The newest updates, enough for the furthest page asked for: any update not read is older than
        # every one read, so the pages up to that one come out the same as from the whole timeline.
        newest = ProgressUpdate.objects.timeline()[: max(pages.values()) * TIMELINE_PAGE_SIZE]
        update_count = (
            ProgressUpdate.objects.filter(response=OuterRef("pk"))
            .order_by()
            .values("response")
            .annotate(count=Count("pk"))
            .values("count")
        )
        responses = {
            response.part_id: response
            for response in LocalResponse.objects.filter(authority=authority, recommendation=recommendation)
            .select_related("part", "updated_by")
            .annotate(update_count=Subquery(update_count))
            .prefetch_related(
                Prefetch("updates", queryset=newest, to_attr="newest_updates"),
                Prefetch("assurance_steps", queryset=AssuranceStep.objects.timeline()),
                "documents",
            )
        }
        for response in responses.values():
            # What this user may see of its evidence, and its timeline with the documents' comings and goings.
            response.shown_documents, response.hidden_sensitive = visible_documents(
                list(response.documents.all()), self.request.user, authority
            )
            events = timeline_of(response, response.newest_updates, response.shown_documents)
            self.page_timeline(response, events, pages)
            response.may_ask_for_assurance = may_ask_for_assurance(response)
            response.latest_step = next(iter(response.assurance_steps.all()), None)
        sections = answer_layout(parts, responses)
        return super().get_context_data(
            authority=authority,
            recommendation=recommendation,
            sections=sections,
            can_edit=can_edit_responses(self.request.user, authority),
            nav="authorities",
            **kwargs,
        )

    def page_timeline(self, response, events, pages):
        """Set the response's `timeline` to the page of `events` the URL asks for (the last, if it asks for
        one beyond it), with what its pagination links need."""
        total = (response.update_count or 0) + len(events) - len(response.newest_updates)
        page = Paginator(range(total), TIMELINE_PAGE_SIZE).get_page(pages[response.part_id])
        response.timeline = events[page.start_index() - 1 : page.end_index()] if total else []
        response.timeline_page = page
        response.timeline_parameter = timeline_parameter(response.part)
        query = self.request.GET.copy()
        query.pop(response.timeline_parameter, None)
        response.timeline_query = query.urlencode()
        part = response.part
        response.timeline_anchor = f"timeline-{part.letter}" if part else "timeline"
        response.timeline_label = (
            f"Pages of the timeline of part ({part.letter})" if part else "Pages of the timeline"
        )


def edit_response(request, slug, number, letter=None):
    """An officer records their council's position on a recommendation, or on one part of it."""
    authority = get_authority_for_user(request, slug, write=True)
    if letter:
        # The part with its recommendation, in one query: the page's heading names both ("2(a). Timescales").
        part = get_object_or_404(
            RecommendationPart.objects.select_related("recommendation"),
            recommendation__number=number,
            letter=letter,
        )
        recommendation = part.recommendation
    else:
        part, recommendation = None, get_object_or_404(Recommendation, number=number)
    response = LocalResponse.objects.filter(
        authority=authority, recommendation=recommendation, part=part
    ).first()
    if request.method == "POST" and "loaded_version" in request.POST:
        return choose_after_conflict(request, authority, recommendation, part, response)
    form = ResponseForm(bound_data(request), response=response)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = record_progress(
                authority=authority,
                recommendation=recommendation,
                part=part,
                by=request.user,
                expected_version=data["version"],
                text=data["text"],
                status=data["status"],
                rag=data["rag"],
                lead_officer=data["lead_officer"],
                target_date=data["target_date"],
                target_date_reason=data["target_date_reason"],
                evidence=data["evidence"],
                note=data["note"],
            )
        except ValidationError as error:
            # The service holds the rules; the form words them first, so this is a safety net.
            form.add_error(None, error)
        except StaleResponseError as stale:
            current = stale.current
            if current is None or data["version"] > current.version:
                # Not a version this response ever had: a forged or broken form, not someone else's save.
                form.add_error("version", RELOAD)
            else:
                # Show what they saved beside what this officer typed, field by field, and make them
                # choose: saving the old form again would undo the other person's change unseen.
                conflict = find_conflict(response=current, loaded_version=data["version"], yours=data)
                initial = {"note": data["note"], "target_date_reason": data["target_date_reason"]}
                return conflict_page(
                    request,
                    authority,
                    recommendation,
                    part,
                    ConflictForm(conflict=conflict, initial=initial),
                    problem=REFUSED,
                )
        else:
            return saved_and_back(request, authority, recommendation, part, saved)
    return render(
        request,
        "responses/response_form.html",
        {
            "authority": authority,
            "recommendation": recommendation,
            "part": part,
            "response": response,
            "form": form,
            "nav": "authorities",
        },
    )


REFUSED = (
    "Someone else saved a change to this response while you were editing it. Nothing has been saved yet: "
    "check their change and choose what to keep."
)
SAVED_AGAIN = (
    "Someone else saved another change to this response while you were choosing. Nothing has been saved "
    "yet: check their latest change and choose again."
)


def choose_after_conflict(request, authority, recommendation, part, response):
    """The page after a refused save, posted: save what the officer chose, or, if someone saved yet again
    in the meantime, show the conflict again against the newest."""
    yours = ResponseValuesForm(request.POST, prefix="yours")
    loaded_version, version = (posted_version(request, name) for name in ("loaded_version", "version"))
    if (
        response is None
        or None in (loaded_version, version)
        or not loaded_version <= version <= response.version
        or not yours.is_valid()
    ):
        # What the page carries hidden is not what it was given: nothing to compare, and nothing saved.
        return render(request, "400.html", {"problem": RELOAD}, status=400)
    conflict = find_conflict(response=response, loaded_version=loaded_version, yours=yours.cleaned_data)
    if version != conflict.version:
        # Their change on the page is no longer the latest: the choices were made against something else.
        return conflict_page(
            request,
            authority,
            recommendation,
            part,
            ConflictForm(conflict=conflict, initial=typed(request.POST)),
            problem=SAVED_AGAIN,
        )
    form = ConflictForm(request.POST, conflict=conflict)
    if not form.is_valid():
        return conflict_page(request, authority, recommendation, part, form)
    try:
        saved = record_progress(
            authority=authority,
            recommendation=recommendation,
            part=part,
            by=request.user,
            expected_version=conflict.version,
            **form.values(),
        )
    except StaleResponseError as stale:
        conflict = find_conflict(
            response=stale.current, loaded_version=loaded_version, yours=yours.cleaned_data
        )
        form = ConflictForm(conflict=conflict, initial=typed(request.POST))
        return conflict_page(request, authority, recommendation, part, form, problem=SAVED_AGAIN)
    except ValidationError as error:
        form.add_error(None, error)
        return conflict_page(request, authority, recommendation, part, form)
    return saved_and_back(request, authority, recommendation, part, saved)


def posted_version(request, name) -> int | None:
    try:
        return ConflictForm.base_fields[name].clean(request.POST.get(name))
    except ValidationError:
        return None


def typed(data) -> dict:
    """What the officer wrote on the page, kept when the page is shown again with new choices."""
    return {"note": data.get("note", ""), "target_date_reason": data.get("target_date_reason", "")}


def conflict_page(request, authority, recommendation, part, form, *, problem=""):
    return render(
        request,
        "responses/response_conflict.html",
        {
            "authority": authority,
            "recommendation": recommendation,
            "part": part,
            "form": form,
            "conflict": form.conflict,
            "carried": carried(form.conflict.yours),
            "problem": problem,
            "nav": "authorities",
        },
    )


def saved_and_back(request, authority, recommendation, part, saved):
    messages.success(request, f"Your update to recommendation {saved.numbered_title} has been saved.")
    url = reverse("responses:detail", args=[authority.slug, recommendation.number])
    return redirect(f"{url}#part-{part.letter}" if part else url)


class ResponseListView(WithoutEmptyParametersMixin, FilterView):
    """Every council's responses, filtered by what the URL asks for, 50 to a page."""

    template_name = "responses/response_list.html"
    filterset_class = ResponseFilterSet
    paginate_by = 50
    queryset = LocalResponse.objects.with_context().with_last_update()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            query_string=query.urlencode(),
            applied=applied_filters(self.filterset, self.request),
            nav="responses",
            **kwargs,
        )


def export_responses(request, fmt):
    """The filtered list of responses as a file, in the same order as the page."""
    if fmt not in DOWNLOADS:
        raise Http404("Choose csv or xlsx.")
    filterset = ResponseFilterSet(request.GET, queryset=ResponseListView.queryset)
    if not filterset.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        )
    return DOWNLOADS[fmt](rows_for_responses(filterset.qs), "laming-responses")


def export_council(request, slug, fmt):
    """One council's responses: a row for every recommendation, or every part it answers separately. It
    is also the template for updating them from a spreadsheet (import_views)."""
    if fmt not in DOWNLOADS:
        raise Http404("Choose csv or xlsx.")
    authority = get_authority_for_user(request, slug)
    responses = LocalResponse.objects.for_authority(authority)
    return council_download(fmt, rows_for_council(authority, responses), f"{authority.slug}-laming-responses")


# The comparison's filters that choose its columns (councils); every other one narrows its recommendations.
COLUMNS = ("council", "region")


class ComparisonView(WithoutEmptyParametersMixin, AsAtMixin, TemplateView):
    """The recommendations against the councils, side by side, filtered by the URL."""

    template_name = "responses/comparison.html"
    # Councils to a page of the matrix: beyond a dozen columns it cannot be read (and at national
    # size, 152 councils, it would be megabytes). The summary above it covers every council.
    councils_per_page = 12

    def get_context_data(self, **kwargs):
        filterset = ComparisonFilterSet(
            self.request.GET or None,
            queryset=Recommendation.objects.select_related("theme").order_by("number"),
        )
        valid = not filterset.is_bound or filterset.is_valid()
        recommendations = list(filterset.qs) if valid else []
        chosen = filterset.form.cleaned_data if filterset.is_bound and valid else {}
        councils = Authority.objects.order_by("name")
        if chosen.get("council"):
            councils = councils.filter(pk__in=[council.pk for council in chosen["council"]])
        if chosen.get("region"):
            councils = councils.filter(region__in=chosen["region"])
        # A page of councils read from the database (a count and a slice), not every council: at national
        # size, reading 600 councils to show 12 cost more than the rest of the page's queries. As at a past
        # day every council's responses are rebuilt for the totals, so every council is read.
        if self.as_at.day:
            councils = list(councils)
        page = Paginator(councils, self.councils_per_page).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset,
            applied=applied_filters(filterset, self.request),
            council_count=page.paginator.count,
            page_obj=page,
            query_string=query.urlencode(),
            recommendation_count=len(recommendations),
            **comparison(
                recommendations,
                councils,
                list(page),
                self.as_at.day,
                council_count=page.paginator.count,
                every_recommendation=valid
                and not any(chosen.get(name) for name in chosen if name not in COLUMNS),
                every_council=not any(chosen.get(name) for name in COLUMNS),
            ),
            as_at=self.as_at,
            nav="dashboard",
            **kwargs,
        )


# The link in every reminder digest, opened without signing in: the signed token names the person, so
# it is the authority for the change, and a forged or altered one is refused. A GET only asks (link
# scanners and previews open links); a POST, from the page's button or a mail program's one-click
# "Unsubscribe" (RFC 8058, which sends no CSRF token), turns reminders off.
@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """Stop a person's reminder digests from the link in one."""
    user = user_of_unsubscribe_token(token)
    if user is None:
        problem = (
            "This link to stop reminder emails is not valid. Check that you copied the whole link from the "
            "email, or sign in and turn reminders off on your account page."
        )
        return render(request, "400.html", {"problem": problem}, status=400)
    unsubscribed = request.method == "POST"
    if unsubscribed:
        Person.objects.update_or_create(user=user, defaults={"reminders": Person.Reminders.OFF})
    return render(request, "responses/unsubscribe.html", {"unsubscribed": unsubscribed})
