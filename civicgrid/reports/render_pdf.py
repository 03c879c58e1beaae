"""A report as PDF: an HTML template with server-drawn SVG bar charts, laid out by WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from .content import Chart, Content

LABEL_W, BAR_MAX, ROW_H, BAR_H, WIDTH = 120, 400, 20, 14, 600


def svg_bars(chart: Chart) -> dict:
    """Geometry of a horizontal bar chart (drawn by the template), scaled to the largest value;
    horizontal so that long names and many units (17 streets) fit an A4 page."""
    top = max([v for v in chart.values if v is not None] or [0]) or 1
    bars = []
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        w = round(BAR_MAX * (value or 0) / top, 1)
        y = 4 + i * ROW_H
        bars.append(
            {
                "y": y,
                "w": w,
                "h": BAR_H,
                "ty": y + BAR_H - 3,
                "vx": LABEL_W + w + 4,
                "label": label,
                "value": value,
            }
        )
    return {
        "title": chart.title,
        "unit": chart.unit,
        "bars": bars,
        "width": WIDTH,
        "height": 8 + len(bars) * ROW_H,
        "x0": LABEL_W,
        "lx": LABEL_W - 4,
    }


def render(content: Content) -> bytes:
    from weasyprint import HTML  # imported here: it loads the pango system library

    html = render_to_string(
        "reports/pdf.html",
        {"c": content, "charts": [svg_bars(ch) for ch in content.charts if ch.labels]},
    )
    return HTML(string=html).write_pdf()
