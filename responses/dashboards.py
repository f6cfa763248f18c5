"""What the dashboards show, computed from a handful of queries whatever the number of records."""

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from authorities.models import Authority
from recommendations.models import Commitment, Recommendation

from .charts import Category, stacked_bar_chart
from .models import (
    ASSURABLE_STATUSES,
    NO_RESPONSE_CHART_COLOUR,
    RAG_CHART_COLOURS,
    STATUS_CHART_COLOURS,
    Assurance,
    LocalResponse,
    ProgressUpdate,
    Rag,
    Status,
    assurance_tag_class,
    overdue_q,
    status_tag_class,
    worklist_of,
)

NO_RESPONSE = "no_response"


def status_categories(*, with_no_response=True):
    categories = [Category(s.value, s.label, *STATUS_CHART_COLOURS[s]) for s in Status]
    if with_no_response:
        categories.append(Category(NO_RESPONSE, "No response", *NO_RESPONSE_CHART_COLOUR, stroke="#0b0c0c"))
    return categories


def rag_categories():
    return [Category(r.value or "not_rated", r.label, *RAG_CHART_COLOURS[r]) for r in Rag]


@dataclass
class ThemeCounts:
    """How a council's responses in one theme stand, by delivery status and by RAG."""

    theme: object
    recommendations: list
    status: Counter = field(default_factory=Counter)
    rag: Counter = field(default_factory=Counter)
    no_response: int = 0

    @property
    def responses(self):
        return sum(self.status.values())

    def status_row(self):
        return [self.status.get(s.value, 0) for s in Status]

    def rag_row(self):
        return [self.rag.get(r.value, 0) for r in Rag]


def count_by_theme(recommendations, responses):
    """ThemeCounts for each theme, in report order. A recommendation answered part by part counts
    each part's response; one with no response at all counts once under "no response"."""
    by_rec = {}
    for response in responses:
        by_rec.setdefault(response.recommendation_id, []).append(response)
    themes = []
    for theme, recs in groupby(recommendations, key=lambda rec: rec.theme):
        counts = ThemeCounts(theme=theme, recommendations=list(recs))
        for rec in counts.recommendations:
            rec.council_responses = by_rec.get(rec.pk, [])
            if not rec.council_responses:
                counts.no_response += 1
            for response in rec.council_responses:
                counts.status[response.status] += 1
                counts.rag[response.rag] += 1
        themes.append(counts)
    return themes


def standing(statuses):
    """[(Status, count)] for a set of responses' statuses, in status order."""
    counts = Counter(statuses)
    return [(status, counts[status.value]) for status in Status if counts[status.value]]


@dataclass
class AssuranceSummary:
    """How a council's complete or ongoing responses (those whose status claims the work is done)
    stand on assurance by its LSCB chair."""

    counts: Counter  # {Assurance value: responses}

    def count(self, state):
        return self.counts[state.value]

    @property
    def rows(self):
        """[(Assurance, responses)] in the order of Assurance, "not requested" first."""
        return [(state, self.count(state)) for state in Assurance]

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def assured(self):
        return self.count(Assurance.ASSURED)

    @property
    def awaiting(self):
        return self.count(Assurance.REQUESTED)


def assurance_summary(responses) -> AssuranceSummary:
    """The council dashboard's and the Cabinet report's count (responses/cabinet/assurance.py)."""
    return AssuranceSummary(Counter(r.assurance for r in responses if r.status in ASSURABLE_STATUSES))


@dataclass
class CommitmentResponses:
    """A commitment on the council dashboard: each recommendation it answers, with the council's responses."""

    commitment: Commitment
    rows: list  # [(recommendation, [responses])]

    @property
    def unanswered(self):
        return [rec for rec, responses in self.rows if not responses]

    @property
    def statuses(self):
        return standing(response.status for _, responses in self.rows for response in responses)


def council_dashboard(authority, day=None):
    """Everything the council dashboard shows, as the records stood at the end of `day` (None: now).
    Queries: responses with latest update (two, as at a past day), recommendations with themes, parts,
    recent updates, commitments, their links."""
    responses = LocalResponse.objects.for_authority_as_at(authority, day)
    on = day or timezone.localdate()
    recommendations = list(Recommendation.objects.for_list())
    themes = count_by_theme(recommendations, responses)
    by_number = {rec.number: rec for rec in recommendations}

    commitments = list(Commitment.objects.for_list())
    working_together = next((c for c in commitments if c.source == Commitment.Source.WORKING_TOGETHER), None)
    past_due = [
        CommitmentResponses(
            commitment=c,
            rows=[
                (
                    by_number[link.recommendation.number],
                    by_number[link.recommendation.number].council_responses,
                )
                for link in c.links.all()
            ],
        )
        for c in commitments
        if c.is_past_due_on(on)
    ]
    working_together_rows = (
        [
            (by_number[link.recommendation.number], by_number[link.recommendation.number].council_responses)
            for link in working_together.links.all()
        ]
        if working_together
        else []
    )
    updates = ProgressUpdate.objects.select_related("by", "response__recommendation", "response__part")
    if day is None:
        recent = updates.newest_of(responses, 10)
    else:
        recent = list(updates.filter(response__authority=authority).in_effect_by(day).timeline()[:10])

    status_chart = stacked_bar_chart(
        title=f"{authority.short_name}: delivery status by theme",
        description="For each theme, how many of the council's responses are at each delivery status, "
        "and how many recommendations have no response. The table beside the chart gives the same numbers.",
        rows=[
            (t.theme.name, {**{k: v for k, v in t.status.items()}, NO_RESPONSE: t.no_response})
            for t in themes
        ],
        categories=status_categories(),
    )
    rag_chart = stacked_bar_chart(
        title=f"{authority.short_name}: RAG rating by theme",
        description="For each theme, how many of the council's responses are rated red, amber or green, "
        "or not rated. The table beside the chart gives the same numbers.",
        rows=[(t.theme.name, {(k or "not_rated"): v for k, v in t.rag.items()}) for t in themes],
        categories=rag_categories(),
    )
    return {
        "themes": themes,
        "statuses": list(Status),
        "rags": list(Rag),
        "status_totals": [sum(t.status_row()[i] for t in themes) for i in range(len(Status))],
        "rag_totals": [sum(t.rag_row()[i] for t in themes) for i in range(len(Rag))],
        "no_response_total": sum(t.no_response for t in themes),
        "response_count": len(responses),
        "assurance": assurance_summary(responses),
        "undated_count": sum(response.rests_on_undated_source for response in responses),
        "answered_count": len({r.recommendation_id for r in responses}),
        "recommendation_count": len(recommendations),
        "worklist": worklist_of(responses),
        "recent": recent,
        "working_together": working_together,
        "working_together_rows": working_together_rows,
        "working_together_standing": standing(r.status for _, rs in working_together_rows for r in rs),
        "past_due": past_due,
        "status_chart": status_chart,
        "rag_chart": rag_chart,
    }


def comparison_cell(url, statuses):
    """One council's position on one recommendation, as the matrix cell's HTML: the status in words
    (with how many parts, for the parts it answers one by one; a whole answer is shown as it is), each
    followed by its assurance in words unless none was asked for."""
    if not statuses:
        return format_html('<a class="govuk-link app-cell-link" href="{}">No response</a>', url)
    counts = tuple(
        Counter((status, bool(letter), assurance) for letter, status, assurance in statuses).items()
    )
    return format_html('<a class="app-cell-link" href="{}">{}</a>', url, status_tags(counts))


@lru_cache(maxsize=512)
def status_tags(counts):
    """Status tags for a cell, from ((status, is a part, assurance), how many) pairs, each status
    followed by a tag of its assurance where assurance was asked for; the same few combinations recur
    thousands of times in the matrix."""
    tags = []
    for (status, is_part, assurance), count in counts:
        tags.append(
            format_html(
                '<strong class="govuk-tag app-tag--small {}">{}{}</strong>',
                status_tag_class(status),
                Status(status).label,
                f" ({count} part{'s' if count != 1 else ''})" if is_part else "",
            )
        )
        if assurance:
            tags.append(
                format_html(
                    '<strong class="govuk-tag app-tag--small {}">{}</strong>',
                    assurance_tag_class(assurance),
                    Assurance(assurance).phrase,
                )
            )
    return mark_safe(" ".join(tags))  # each piece escaped by format_html


@dataclass
class ComparisonTotals:
    """Every chosen council's responses to the recommendations shown, together: how many at each delivery
    status (in Status order), how many recommendations were not answered, and how many responses are
    assured."""

    councils: int
    counts: list[int]
    no_response: int
    assured: int


# The counts over every council's responses say COUNT(*) (or count status, with a filter), not COUNT(id):
# PostgreSQL then reads them from an index alone (response_standing, response_status_target), 4 ms at 600
# councils against 32 from the table.


def answered_pairs(responses) -> int:
    """How many (council, recommendation) pairs `responses` answer: a council answering a recommendation part
    by part has answered it once. Counted recommendation by recommendation, from the response_answered
    index in its order."""
    return sum(responses.councils_answering().values())


def comparison_totals(responses, recommendation_count, council_count) -> ComparisonTotals:
    """ComparisonTotals counted in SQL, two queries however many councils: the summary of a page of councils
    ends with these, for all of them, without reading every council's responses."""
    by_status = {
        status: (count, assured)
        for status, count, assured in responses.order_by()
        .values_list("status")
        .annotate(count=Count("*"), assured=Count("status", filter=Q(assurance=Assurance.ASSURED)))
    }
    answered = answered_pairs(responses)
    return ComparisonTotals(
        councils=council_count,
        counts=[by_status.get(status.value, (0, 0))[0] for status in Status],
        no_response=recommendation_count * council_count - answered,
        assured=sum(assured for _, assured in by_status.values()),
    )


def comparison(
    recommendations,
    authorities,
    page_authorities=None,
    day=None,
    *,
    every_recommendation=False,
    every_council=False,
    council_count=None,
):
    """The comparison of `authorities` on `recommendations`, as the records stood at the end of `day` (None:
    now): for each council of `page_authorities` (a page of them; all when not given), its totals by status
    (the summary and its chart) and its column of the matrix; and the totals of every council together.

    Today, queries do not grow with the councils: one for the page's councils' responses and two for the
    totals (comparison_totals). As at a past day every council's responses are rebuilt (as_at), and the
    totals are added up from them. `every_recommendation` and `every_council` say that no filter narrowed
    them, so that the totals need not name each one. `authorities` may be a queryset: today it is read only
    as a subquery, and counted unless `council_count` says how many it holds."""
    if page_authorities is None:
        page_authorities = authorities
    if council_count is None:
        council_count = len(authorities)
    council_ids = (
        authorities.values("pk") if isinstance(authorities, QuerySet) else [a.pk for a in authorities]
    )
    # Narrowed only where the page chose recommendations or councils: a list of every id would only slow
    # the totals down.
    responses = LocalResponse.objects.order_by()
    if not every_recommendation:
        responses = responses.filter(recommendation__in=[rec.pk for rec in recommendations])
    all_responses = responses if every_council else responses.filter(authority__in=council_ids)
    if day is None:
        answers = list(
            responses.filter(authority__in=[a.pk for a in page_authorities]).values_list(
                "authority_id", "recommendation_id", "part__letter", "status", "assurance"
            )
        )
    else:
        answers = [
            (r.authority_id, r.recommendation_id, r.part.letter if r.part_id else "", r.status, r.assurance)
            for r in all_responses.select_related("part").as_at(day)
        ]
    # Each council's own totals: today the page's councils only; as at a past day, every council's, to add up.
    counted = page_authorities if day is None else authorities
    totals = {authority.pk: Counter() for authority in counted}
    assured = Counter()
    answered = {authority.pk: set() for authority in counted}
    on_page = {a.pk for a in page_authorities}
    statuses = {}
    for authority_id, rec_id, letter, status, assurance in answers:
        totals[authority_id][status] += 1
        assured[authority_id] += assurance == Assurance.ASSURED
        answered[authority_id].add(rec_id)
        if authority_id in on_page:
            statuses.setdefault((rec_id, authority_id), []).append((letter or "", status, assurance))
    unanswered = {a.pk: len(recommendations) - len(answered[a.pk]) for a in counted}
    if day is None:
        every = comparison_totals(all_responses, len(recommendations), council_count)
    else:
        every = ComparisonTotals(
            councils=council_count,
            counts=[sum(totals[a.pk][s.value] for a in authorities) for s in Status],
            no_response=sum(unanswered.values()),
            assured=sum(assured.values()),
        )
    # The matrix has a cell for every council of the page and recommendation, so its cells are built
    # here as HTML, once, rather than by template loops and includes per cell.
    council_urls = [
        (a, reverse("authorities:detail", args=[a.slug]) + "recommendations/") for a in page_authorities
    ]
    rows = []
    for theme, recs in groupby(recommendations, key=lambda rec: rec.theme):
        theme_rows = []
        for rec in recs:
            cells = "".join(
                '<td class="govuk-table__cell">{}</td>'.format(
                    comparison_cell(f"{base}{rec.number}/", sorted(statuses.get((rec.pk, a.pk), [])))
                )
                for a, base in council_urls
            )
            # Safe: comparison_cell escapes everything it is given.
            theme_rows.append((rec, mark_safe(cells)))
        rows.append((theme, theme_rows))
    summary = [
        {
            "authority": a,
            "counts": [totals[a.pk][s.value] for s in Status],
            "no_response": unanswered[a.pk],
            "assured": assured[a.pk],
        }
        for a in page_authorities
    ]
    chart = stacked_bar_chart(
        title="Responses by delivery status, council by council",
        description="For each council, how many of its responses to the recommendations shown are at each "
        "delivery status, and how many of those recommendations it has not answered. The table gives "
        "the same numbers.",
        rows=[
            (a.short_name, {**{k: v for k, v in totals[a.pk].items()}, NO_RESPONSE: unanswered[a.pk]})
            for a in page_authorities
        ],
        categories=status_categories(),
    )
    return {"rows": rows, "summary": summary, "totals": every, "chart": chart, "statuses": list(Status)}


def share(count, total):
    """`count` as a share of `total` in words: a whole percentage with halves rounded up, and never
    "0%" for some nor "100%" for not all ("under 1%", "over 99%")."""
    if not count:
        return "0%"
    percent = (200 * count + total) // (2 * total)
    if percent == 0:
        return "under 1%"
    if percent == 100 and count < total:
        return "over 99%"
    return f"{percent}%"


@dataclass
class StandingRow:
    """One line of a council beside every council: how many of its responses are at one delivery status
    (or how many recommendations it has not answered), and the same for every council together."""

    label: str
    own: int
    own_share: str
    every: int
    every_share: str


@dataclass
class CouncilAgainstAll:
    """A council's delivery statuses beside every council's, for its LSCB chair's home page."""

    authority: Authority
    council_count: int
    rows: list  # [StandingRow], in status order, then "No response"
    own_responses: int
    own_overdue: int
    every_responses: int
    every_overdue: int

    @property
    def own_overdue_share(self):
        return share(self.own_overdue, self.own_responses)

    @property
    def every_overdue_share(self):
        return share(self.every_overdue, self.every_responses)


def councils_against_all(authorities):
    """{council: CouncilAgainstAll} for each of `authorities`: its responses at each delivery status, the
    recommendations it has not answered, and its responses past their target date (overdue_q), each
    beside every council's together, with their shares. As the dashboard's summary counts them, a
    recommendation answered part by part counts each part's response. Six queries, each grouped or counted
    in SQL, whatever the number of councils."""
    if not authorities:
        return {}
    council_ids = [authority.pk for authority in authorities]
    counted = {"responses": Count("*"), "overdue": Count("status", filter=overdue_q())}
    statuses = {None: Counter()}
    overdue = Counter()
    # Every council's together, then each of these councils' own: each grouped in SQL, so what is read
    # does not grow with the councils.
    every = LocalResponse.objects.order_by().values_list("status").annotate(**counted)
    for status, responses, late in every:
        statuses[None][status] += responses
        overdue[None] += late
    own = (
        LocalResponse.objects.filter(authority__in=council_ids)
        .order_by()
        .values_list("authority_id", "status")
        .annotate(**counted)
    )
    for authority_id, status, responses, late in own:
        statuses.setdefault(authority_id, Counter())[status] += responses
        overdue[authority_id] += late
    answered = dict(
        LocalResponse.objects.filter(authority__in=council_ids)
        .order_by()
        .values_list("authority_id")
        .annotate(answered=Count("recommendation_id", distinct=True))
    )
    council_count = Authority.objects.count()
    recommendation_count = Recommendation.objects.count()
    no_response = {pk: recommendation_count - answered.get(pk, 0) for pk in council_ids}
    no_response[None] = recommendation_count * council_count - answered_pairs(LocalResponse.objects.all())
    result = {}
    every = statuses.get(None, Counter())
    for authority in authorities:
        own = statuses.get(authority.pk, Counter())
        own_total = sum(own.values()) + no_response[authority.pk]
        every_total = sum(every.values()) + no_response[None]
        rows = [
            StandingRow(
                label=status.label,
                own=own[status.value],
                own_share=share(own[status.value], own_total),
                every=every[status.value],
                every_share=share(every[status.value], every_total),
            )
            for status in Status
        ]
        rows.append(
            StandingRow(
                label="No response",
                own=no_response[authority.pk],
                own_share=share(no_response[authority.pk], own_total),
                every=no_response[None],
                every_share=share(no_response[None], every_total),
            )
        )
        result[authority] = CouncilAgainstAll(
            authority=authority,
            council_count=council_count,
            rows=rows,
            own_responses=sum(own.values()),
            own_overdue=overdue[authority.pk],
            every_responses=sum(every.values()),
            every_overdue=overdue[None],
        )
    return result


@dataclass
class CommitmentProgress:
    """A commitment, whether its date has passed, and how councils' responses to its recommendations stand."""

    commitment: Commitment
    past_due: bool  # on the day the figures describe
    statuses: list  # [(Status, number of responses)] across the councils
    gaps: int  # council and recommendation pairs with no response
    council_rows: list  # [(recommendation, [responses])] for the chosen council, if any


def commitment_tracker(commitments, authority=None, day=None):
    """Progress on each commitment as the records stood at the end of `day` (None: now). Queries: the
    council count, every council's responses to the linked recommendations counted by status and the
    councils answering each (today, in SQL: two; as at a past day, the responses rebuilt: two), and the
    chosen council's responses, if one is chosen (each two, as at a past day)."""
    rec_ids = {link.recommendation_id for c in commitments for link in c.links.all()}
    council_count = Authority.objects.count()
    on = day or timezone.localdate()
    linked = LocalResponse.objects.filter(recommendation__in=rec_ids).order_by()
    statuses_of = {}  # recommendation id: Counter of its responses' statuses
    if day is None:
        for rec_id, status, count in linked.values_list("recommendation_id", "status").annotate(n=Count("*")):
            statuses_of.setdefault(rec_id, Counter())[status] = count
        answering = linked.councils_answering()  # recommendation id: how many councils answer it
    else:
        councils_of = {}
        for response in linked.as_at(day):
            statuses_of.setdefault(response.recommendation_id, Counter())[response.status] += 1
            councils_of.setdefault(response.recommendation_id, set()).add(response.authority_id)
        answering = {rec_id: len(councils) for rec_id, councils in councils_of.items()}
    chosen = {}
    if authority:
        mine = (
            linked.filter(authority=authority)
            .select_related("part")
            .order_by("recommendation", "part__letter")
        )
        for response in mine.as_at(day) if day else mine:
            chosen.setdefault(response.recommendation_id, []).append(response)
    progress = []
    for commitment in commitments:
        links = list(commitment.links.all())
        counts = sum((statuses_of.get(link.recommendation_id, Counter()) for link in links), Counter())
        progress.append(
            CommitmentProgress(
                commitment=commitment,
                past_due=commitment.is_past_due_on(on),
                statuses=standing(counts.elements()),
                gaps=council_count * len(links)
                - sum(answering.get(link.recommendation_id, 0) for link in links),
                council_rows=[(link.recommendation, chosen.get(link.recommendation_id, [])) for link in links]
                if authority
                else [],
            )
        )
    return progress
