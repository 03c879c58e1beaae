"""iCalendar (RFC 5545) export of a resource's bookings: times for everyone who may see the
resource, booker and purpose only for those who manage it (and for the booker's own)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import BookingStatus
from .models import Booking, Resource


def _esc(text: str) -> str:
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (continuation lines start with a space)."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += b
    parts.append(current.decode())
    return "\r\n ".join(parts)


def resource_calendar(*, resource: Resource, detailed: bool, user, days_back: int = 30) -> str:
    since = timezone.now() - dt.timedelta(days=days_back)
    bookings = Booking.objects.filter(
        resource=resource,
        status__in=(BookingStatus.PENDING, BookingStatus.APPROVED),
        end__gte=since,
    ).order_by("start")[:2000]
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CivicGrid//resources//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_esc(resource.name)}",
    ]
    for b in bookings:
        mine = b.booker_id == getattr(user, "pk", None)
        summary = f"{b.purpose} · {b.booker_name}" if detailed or mine else str(_("已预订"))
        if b.status == BookingStatus.PENDING:
            summary += f" ({_('待审批')})"
        lines += [
            "BEGIN:VEVENT",
            f"UID:booking-{b.pk}@civicgrid",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(b.start)}",
            f"DTEND:{_stamp(b.end)}",
            f"SUMMARY:{_esc(summary)}",
            f"LOCATION:{_esc(resource.address or resource.name)}",
            "STATUS:" + ("TENTATIVE" if b.status == BookingStatus.PENDING else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(x) for x in lines) + "\r\n"
