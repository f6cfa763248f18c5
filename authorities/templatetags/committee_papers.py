"""Committee papers on pages that belong to other apps (the council page lists its issued reports)."""

from django import template

from authorities.models import CabinetReport

register = template.Library()


@register.simple_tag
def issued_reports_for(authority):
    """The council's issued reports, newest first, with their meetings: one query, without the PDFs."""
    return list(
        CabinetReport.objects.issued().without_pdf().filter(authority=authority).select_related("meeting")
    )
