"""A report as PDF: an HTML template with server-drawn SVG bar charts, laid out by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from .content import Chart, Content

BAR_W, GAP, HEIGHT, LABEL_H = 36, 14, 160, 40


def svg_bars(chart: Chart) -> dict:
    """Geometry of a bar chart (drawn by the template): bars scaled to the largest value."""
    top = max([v for v in chart.values if v is not None] or [0]) or 1
    bars = []
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        h = round(HEIGHT * (value or 0) / top, 1)
        x = GAP + i * (BAR_W + GAP)
        bars.append(
            {
                "x": x,
                "y": HEIGHT - h + 10,
                "ty": HEIGHT - h + 7,
                "h": h,
                "w": BAR_W,
                "label": label,
                "value": value,
                "cx": x + BAR_W / 2,
            }
        )
    width = GAP + len(bars) * (BAR_W + GAP)
    return {
        "title": chart.title,
        "unit": chart.unit,
        "bars": bars,
        "width": max(width, 200),
        "height": HEIGHT + 10 + LABEL_H,
        "base": HEIGHT + 10,
        "label_y": HEIGHT + 26,
    }


def render(content: Content) -> bytes:
    from weasyprint import HTML  # imported here: it loads the pango system library

    html = render_to_string(
        "reports/pdf.html",
        {"c": content, "charts": [svg_bars(ch) for ch in content.charts if ch.labels]},
    )
    return HTML(string=html).write_pdf()
