"""Text checks and features for classification: what counts as classifiable Chinese text,
the word tokens (rjieba) and the labelled corpus with its stable held-out split.

Kept free of Django models so that the benchmark and the training code can use it alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import rjieba
from django.utils.translation import gettext_lazy as _

MAX_CHARS = 4000
MIN_CJK = 2  # fewer Chinese characters than this: nothing to classify
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_KEEP = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]+")

# Codes a text check answers with, and the message a person sees.
MESSAGES = {
    "empty": _("请先填写情况描述。"),
    "too_long": _("描述超过 4000 字,请精简后再试。"),
    "no_words": _("描述中没有文字(只有标点、表情或符号),无法判断类别。"),
    "not_chinese": _("请用中文描述问题,系统目前只能识别中文描述。"),
    "too_short": _("描述太短,无法判断类别,请多写几个字。"),
    "no_match": _("没有把握判断类别,请手动选择。"),
    "low_confidence": _("没有把握判断类别,请手动选择。"),
}


@dataclass(frozen=True)
class TextCheck:
    ok: bool
    code: str = ""
    text: str = ""

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, "")) if self.code else ""


def check_text(raw) -> TextCheck:
    """Whether a text can be classified at all; `text` is the cleaned text when it can."""
    if not isinstance(raw, str):
        return TextCheck(False, "empty")
    text = raw.strip()
    if not text:
        return TextCheck(False, "empty")
    if len(text) > MAX_CHARS:
        return TextCheck(False, "too_long")
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        if _LATIN_WORD.search(text):
            return TextCheck(False, "not_chinese")
        return TextCheck(False, "no_words")
    if cjk < MIN_CJK:
        return TextCheck(False, "too_short")
    return TextCheck(True, "", text)


def words(text: str) -> list[str]:
    """Word tokens: rjieba over each run of Chinese characters, Latin words and numbers
    lower-cased whole. Single characters are left to the character n-grams."""
    out: list[str] = []
    for run in _KEEP.findall(text):
        if _CJK_RUN.fullmatch(run):
            out.extend(w for w in rjieba.cut(run) if len(w) > 1)
        else:
            out.append(run.lower())
    return out


def chars(text: str) -> str:
    """The text reduced to letters and digits (punctuation, emoji and spaces dropped), the
    input of the character n-grams."""
    return " ".join(_KEEP.findall(text)).lower()


def held_out(text: str) -> bool:
    """The stable held-out split: a quarter of all texts by a hash of the text, never trained on."""
    return hashlib.sha1(text.strip().encode("utf-8")).digest()[0] % 4 == 0


@dataclass(frozen=True)
class Example:
    text: str
    code: str


def corpus(split: str = "all") -> list[Example]:
    """The hand-written labelled corpus (`corpus/*.jsonl`): "train", "test" or "all"."""
    out: list[Example] = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                row = json.loads(line)
                ex = Example(row["text"], row["item"])
                if split == "all" or (split == "test") == held_out(ex.text):
                    out.append(ex)
    return out
