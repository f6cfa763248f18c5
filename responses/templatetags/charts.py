"""Template helpers for the SVG charts (responses/charts.py)."""

from django import template

register = template.Library()


@register.simple_tag
def stacked_bars(chart, chart_id):
    """A StackedBarChart as inline SVG; `chart_id` must be unique on the page."""
    return chart.render(chart_id)
