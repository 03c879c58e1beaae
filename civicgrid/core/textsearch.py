"""Chinese full-text search that works on SQLite (FTS5) and PostgreSQL (tsvector 'simple').

Terms indexed for a text: the words of the segmenter (rjieba) plus every two-character
window of each run of Chinese characters. Bigrams make recall robust where the segmenter
cuts oddly (it splits 路灯不亮 into 路 / 灯不亮); a query is reduced to terms the same way
and every term must match. Latin words and numbers are lower-cased whole words.
"""

from __future__ import annotations

import re

import rjieba

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _terms(text: str, *, for_query: bool) -> list[str]:
    text = text or ""
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            out.append(run)
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        if not for_query:
            out.extend(w for w in rjieba.cut(run) if len(w) > 2)
    out.extend(w.lower() for w in _WORD.findall(text))
    seen: dict[str, None] = {}
    for t in out:
        seen.setdefault(t, None)
    return list(seen)


def index_terms(*parts: str) -> str:
    return " ".join(_terms(" ".join(p for p in parts if p), for_query=False))


def query_terms(q: str) -> list[str]:
    return _terms(q, for_query=True)[:16]


def fts5_query(terms: list[str]) -> str:
    return " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
