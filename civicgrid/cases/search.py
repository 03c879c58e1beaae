"""Full-text filter for case querysets (FTS5 on SQLite, tsvector on PostgreSQL)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from civicgrid.core.textsearch import fts5_query, query_terms


def text_filter(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    if q.isdigit() and len(q) >= 8:
        return qs.filter(Q(number=q) | Q(external_id=q))
    terms = query_terms(q)
    if not terms:
        return qs.none()
    if connection.vendor == "sqlite":
        return qs.extra(
            where=[
                "cases_case.id IN (SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s)"
            ],
            params=[fts5_query(terms)],
        )
    if connection.vendor == "postgresql":
        return qs.extra(
            where=["to_tsvector('simple', cases_case.search_text) @@ to_tsquery('simple', %s)"],
            params=[" & ".join("'" + t.replace("'", "") + "'" for t in terms)],
        )
    cond = Q()
    for t in terms:
        cond &= Q(search_text__contains=t)
    return qs.filter(cond)
