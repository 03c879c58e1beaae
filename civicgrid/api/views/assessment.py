"""Assessment figures (考核) per community, street and department, as on the assessment page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.cases import assessment
from civicgrid.core.errors import ValidationFailed
from civicgrid.geo.models import Area

from ..serializers.cases import AssessmentSerializer

RATES = ("response_rate", "resolution_rate", "on_time_rate", "satisfaction_rate", "reopen_rate")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(value: str | None) -> tuple[dt.datetime, dt.datetime, str]:
    """``YYYY-MM`` (default: this month) as the aware [start, end) of that month."""
    today = timezone.localdate()
    value = (value or f"{today:%Y-%m}").strip()
    try:
        year, month = (int(x) for x in value.split("-"))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError
        start_day = dt.date(year, month, 1)
    except ValueError:
        message = _("月份须为 YYYY-MM 格式,年份在 %(a)d–%(b)d 之间。") % {
            "a": FIRST_YEAR,
            "b": LAST_YEAR,
        }
        raise ValidationFailed(message, details={"month": [message]})
    end_day = (start_day + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start_day, dt.time(), tz),
        dt.datetime.combine(end_day, dt.time(), tz),
        f"{start_day:%Y-%m}",
    )


def _rows(figures) -> list[dict]:
    fields = list(AssessmentSerializer().fields["communities"].child.fields)
    return [{f: getattr(row, f) for f in fields} for row in figures]


class AssessmentView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; default this month"),
            OpenApiParameter("by", OpenApiTypes.STR, enum=list(RATES), description="ranking"),
        ],
        responses=AssessmentSerializer,
    )
    def get(self, request):
        """Communities, streets and departments in the caller's scope, ranked by ``by``."""
        start, end, month = parse_month(request.query_params.get("month"))
        by = request.query_params.get("by") or "resolution_rate"
        if by not in RATES:
            message = _("未知的排序指标。")
            raise ValidationFailed(message, details={"by": [message]})
        user = request.user

        def sheet(name, rows):
            assessment.with_extras(rows, user=user, sheet=name, start=start, end=end)
            return _rows(assessment.ranked(rows, by))

        data = {
            "month": month,
            "by": by,
            "communities": sheet(
                "community",
                assessment.for_areas(user=user, level=Area.Level.COMMUNITY, start=start, end=end),
            ),
            "streets": sheet(
                "street",
                assessment.for_areas(user=user, level=Area.Level.STREET, start=start, end=end),
            ),
            "departments": sheet(
                "department", assessment.for_departments(user=user, start=start, end=end)
            ),
        }
        return Response(data)
