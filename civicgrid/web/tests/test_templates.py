"""The Content-Security-Policy allows scripts from our own origin only: no inline code anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import civicgrid

ROOT = Path(civicgrid.__file__).parent
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)


def test_there_are_templates_to_check():
    names = {p.name for p in templates()}
    assert {"base.html", "map.html", "resident_detail.html"} <= names


def test_no_inline_event_handlers():
    offenders = [
        str(p.relative_to(ROOT)) for p in templates() if INLINE_HANDLER.search(p.read_text())
    ]
    assert offenders == []


def test_every_script_tag_loads_a_file():
    offenders = []
    for p in templates():
        for attrs in SCRIPT_TAG.findall(p.read_text()):
            if "src=" not in attrs and "application/json" not in attrs:
                offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []


def test_no_cdn_or_web_fonts():
    offenders = [
        str(p.relative_to(ROOT))
        for p in templates()
        if re.search(r"""(src|href)=["']https?://""", p.read_text())
    ]
    assert offenders == []
