"""The text classifier: TF-IDF over rjieba words plus character 1–3-grams, and a linear model.

Two kinds share one predicting path (scores = softmax(t · (X·Wᵀ + b))):

- "keywords", the cold start: one prototype vector per catalogue item, built from its name,
  keywords and description; scores come from the cosine similarity with each prototype;
- "trained": a linear SVM (hinge loss, fitted by SGD) on labelled texts (the corpus's
  training split and what dispatchers confirmed) plus the catalogue's own words, so that no
  item is unknown; its softmax temperature is fitted on examples held apart.

A prediction carries the top three items with scores, whether it is confident enough to be
suggested (minimum score, minimum margin over the runner-up, enough known words), and the
words that drove it (the largest contributions x_j · w_cj for the predicted class).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import FeatureUnion

from .text import Example, TextCheck, chars, check_text, words

TOP = 3
KEYWORD_TEMPERATURE = 12.0
# Training: SGD passes enough for about this many updates per class (within the bounds), a
# calibration slice of at most this many examples, and from how many examples the model is
# fitted once (on all but the slice) instead of a probe plus a final fit on everything.
SGD_UPDATES = 200_000
SGD_EPOCHS = (5, 20)
CALIBRATION_MAX = 2000
SINGLE_FIT_FROM = 20_000


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    domain: str
    keywords: tuple[str, ...] = ()
    description: str = ""

    def texts(self) -> list[str]:
        """The catalogue's own words for the item, as short pseudo-texts."""
        out = [self.name, *self.keywords]
        if self.description:
            out.append(self.description)
        return [t for t in out if t and t.strip()]


@dataclass
class Prediction:
    """The outcome for one text: `items` [(code, score)…] best first (empty when the text
    could not be classified), `code` why there is no confident suggestion ("" when there is)."""

    items: list[tuple[str, float]] = field(default_factory=list)
    confident: bool = False
    code: str = ""
    known_terms: int = 0
    drivers: list[str] = field(default_factory=list)

    @property
    def top(self) -> str | None:
        return self.items[0][0] if self.items else None

    @property
    def message(self) -> str:
        return TextCheck(False, self.code).message if self.code else ""


def _word_analyzer(text: str) -> list[str]:
    return words(text)


def make_features(*, max_words: int = 40000, max_chars: int = 80000, min_df: int = 1):
    """Words (TF-IDF, sublinear) beside character 1–3-grams of the letters-only text."""
    return FeatureUnion(
        [
            (
                "w",
                TfidfVectorizer(
                    analyzer=_word_analyzer,
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=max_words,
                    dtype=np.float32,
                ),
            ),
            (
                "c",
                TfidfVectorizer(
                    analyzer="char",
                    preprocessor=chars,
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=max_chars,
                    dtype=np.float32,
                ),
            ),
        ]
    )


class TextClassifier:
    """A fitted classifier; picklable (see `storage`)."""

    def __init__(
        self,
        *,
        kind: str,
        features: FeatureUnion,
        codes: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        temperature: float = 1.0,
    ):
        self.kind = kind
        self.features = features
        self.codes = np.asarray(codes)
        # Features × classes, contiguous: `x @ weights` then needs no copy of the matrix.
        self.weights = np.ascontiguousarray(np.asarray(weights, dtype=np.float32).T)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.temperature = float(temperature)
        names = features.get_feature_names_out()
        # "w__路灯" / "c__路灯": words, and character n-grams of two or more characters, are
        # the terms that count for the out-of-vocabulary check; single characters do not.
        self.names = np.array([n.split("__", 1)[1] for n in names], dtype=object)
        self.informative = np.array(
            [n.startswith("w__") or len(n) > len("c__") + 1 for n in names], dtype=bool
        )

    # -- predicting ---------------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        # The union's parts one after the other: FeatureUnion.transform's joblib dispatch costs
        # more than the work for one text.
        texts = list(texts)
        parts = [t.transform(texts) for _name, t in self.features.transformer_list]
        x = sparse.hstack(parts, format="csr", dtype=np.float32)
        logits = (x @ self.weights + self.bias) * self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return x, p

    def predict(
        self,
        texts: Sequence,
        *,
        min_score: float = 0.3,
        min_margin: float = 0.05,
        min_terms: int = 2,
        explain: bool = False,
    ) -> list[Prediction]:
        """One Prediction per text, in order, in one vectorised pass over the good texts."""
        out: list[Prediction] = [Prediction() for _ in texts]
        good: list[int] = []
        cleaned: list[str] = []
        for i, raw in enumerate(texts):
            check = check_text(raw)
            if check.ok:
                good.append(i)
                cleaned.append(check.text)
            else:
                out[i].code = check.code
        if not good:
            return out
        x, p = self.scores(cleaned)
        # Known informative terms per text: one sparse product, no column slicing.
        known = np.asarray(
            (x != 0).astype(np.float32) @ self.informative.astype(np.float32)
        ).ravel()
        top = np.argsort(-p, axis=1)[:, :TOP]
        for row, i in enumerate(good):
            pred = out[i]
            idx = top[row]
            pred.items = [(str(self.codes[j]), round(float(p[row, j]), 4)) for j in idx]
            pred.known_terms = int(known[row])
            first = p[row, idx[0]]
            second = p[row, idx[1]] if len(idx) > 1 else 0.0
            if pred.known_terms < min_terms:
                pred.items, pred.code = [], "no_match"
            elif first < min_score or first - second < min_margin:
                pred.code = "low_confidence"
            else:
                pred.confident = True
            if explain and pred.items:
                pred.drivers = self.drivers(x[row], int(idx[0]))
        return out

    def drivers(self, x_row, class_index: int, n: int = 5) -> list[str]:
        """The terms with the largest positive contributions to one class, words before
        character n-grams, none overlapping another (路灯, not also 路 and 灯). Function and time words
        (那个, 晚上) may carry weight in the model but explain nothing to a person: not shown."""
        row = x_row.tocsr()
        contrib = row.data * self.weights[row.indices, class_index]
        order = [k for k in np.argsort(-contrib) if contrib[k] > 0]
        # The union puts the word features first: a person reads segmented words (路灯, 井盖)
        # better than character n-grams that cross word boundaries (区路灯); n-grams only fill up.
        n_words = len(self.features.transformer_list[0][1].vocabulary_)
        words = [k for k in order if row.indices[k] < n_words]
        grams = [k for k in order if row.indices[k] >= n_words]
        picked: list[str] = []
        for group in (words, grams):
            if group is grams and len(picked) >= 2:
                break  # enough words: n-grams would only add fragments
            for k in group:
                if len(picked) >= n:
                    break
                term = str(self.names[row.indices[k]]).strip()
                if _explains(term) and not any(term in t or t in term for t in picked):
                    picked.append(term)
        return picked


# Everyday words that do not say what a complaint is about.
NOT_EXPLANATIONS = frozenset(
    "那个 这个 那些 这些 一个 一下 一直 已经 还是 就是 什么 怎么 为什么 没有 不是 可以 我们 你们 他们 "
    "我家 我们家 大家 有人 人家 现在 今天 昨天 前天 明天 晚上 早上 中午 下午 白天 半夜 天天 每天 经常 "
    "总是 好几 几天 好久 差点 真的 非常 特别 太 很 了 的 得 地 在 再 也 都 又 还 就 和 跟 把 被 给 让 "
    "吗 呢 啊 吧 呀 嘛 啦 哦 不 上 下 里 外 说 看 去 来 能 会 要 想 搞 弄 不见".split()
)


_PARTICLES = set("了的得吗呢啊吧呀嘛啦哦")


def _explains(term: str) -> bool:
    """A term worth showing: a word or n-gram of two or more characters inside one word,
    neither an everyday word nor a piece of one, nor carrying a particle (见了, 了晚)."""
    if len(term) < 2 or " " in term or term in NOT_EXPLANATIONS:
        return False
    if _PARTICLES & set(term):
        return False
    return not any(term in w for w in NOT_EXPLANATIONS if len(w) > len(term))


# -- building -----------------------------------------------------------------------------------


def build_keywords(catalogue: Iterable[CatalogueEntry]) -> TextClassifier:
    """The cold start: a prototype per item from the catalogue's name, keywords and description."""
    entries = list(catalogue)
    docs, owners = [], []
    for k, e in enumerate(entries):
        for t in e.texts():
            docs.append(t)
            owners.append(k)
    features = make_features(min_df=1)
    x = features.fit_transform(docs).tocsr()
    # Sum of an item's pseudo-texts, normalised: the prototype.
    owner = sparse.csr_matrix(
        (np.ones(len(owners), dtype=np.float32), (owners, range(len(owners)))),
        shape=(len(entries), len(owners)),
    )
    proto = (owner @ x).toarray()
    proto /= np.maximum(np.linalg.norm(proto, axis=1, keepdims=True), 1e-9)
    return TextClassifier(
        kind="keywords",
        features=features,
        codes=[e.code for e in entries],
        weights=proto,
        bias=np.zeros(len(entries)),
        temperature=KEYWORD_TEMPERATURE,
    )


def train(
    examples: Sequence[Example],
    catalogue: Iterable[CatalogueEntry],
    *,
    c: float = 0.5,
    max_words: int = 40000,
    max_chars: int = 80000,
) -> TextClassifier:
    """A linear SVM (one-vs-rest, hinge loss, L2 penalty 1/(c·n)) fitted by a few SGD passes on
    the examples plus the catalogue's own words (so that an item without examples is still
    known), with scores from a softmax over its decision values whose temperature is fitted on
    examples held apart: every fifth (at most CALIBRATION_MAX) scored by a probe fitted on the
    rest, then a final fit on everything; from SINGLE_FIT_FROM examples the model fitted
    without the slice is kept (one fit: the slice is then a small share of the data). SGD's
    cost grows linearly with the examples; liblinear's did not (> 8 minutes on 100,000).
    Items outside the catalogue are dropped."""
    entries = list(catalogue)
    known = {e.code for e in entries}
    examples = [ex for ex in examples if ex.code in known]
    extra_texts, extra_labels = [], []
    for e in entries:
        for t in e.texts():
            extra_texts.append(t)
            extra_labels.append(e.code)
    texts = [ex.text for ex in examples] + extra_texts
    labels = np.array([ex.code for ex in examples] + extra_labels)
    min_df = 2 if len(texts) > 20000 else 1
    features = make_features(max_words=max_words, max_chars=max_chars, min_df=min_df)
    x = features.fit_transform(texts).tocsr()
    n = len(examples)
    cal = np.zeros(len(texts), dtype=bool)
    cal[: n : max(5, -(-n // CALIBRATION_MAX))] = True
    temperature, model = 1.0, None
    if cal.sum() >= 20:
        probe = _svm(c, int((~cal).sum())).fit(x[~cal], labels[~cal])
        temperature = _fit_temperature(probe.decision_function(x[cal]), probe.classes_, labels[cal])
        if n >= SINGLE_FIT_FROM and len(probe.classes_) == len(known):
            model = probe
    if model is None:
        model = _svm(c, len(texts)).fit(x, labels)
    return TextClassifier(
        kind="trained",
        features=features,
        codes=model.classes_,
        weights=model.coef_,
        bias=model.intercept_,
        temperature=temperature,
    )


def _svm(c: float, n: int) -> SGDClassifier:
    """Hinge loss with the penalty LinearSVC(C=c) would have on n examples; passes enough for
    SGD_UPDATES updates, within SGD_EPOCHS; deterministic."""
    lo, hi = SGD_EPOCHS
    return SGDClassifier(
        loss="hinge",
        alpha=1.0 / (c * max(n, 1)),
        max_iter=int(np.clip(-(-SGD_UPDATES // max(n, 1)), lo, hi)),
        tol=None,
        random_state=0,
    )


def _fit_temperature(decision: np.ndarray, classes: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature with the least log-loss on held-apart decision values."""
    index = {c: i for i, c in enumerate(classes)}
    rows = np.array([i for i, t in enumerate(truth) if t in index])
    cols = np.array([index[truth[i]] for i in rows])
    best, best_loss = 1.0, np.inf
    for t in np.geomspace(0.5, 50, 40):
        z = decision[rows] * t
        z -= z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -logp[np.arange(len(rows)), cols].mean()
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


# -- measuring ----------------------------------------------------------------------------------


def evaluate(clf: TextClassifier, examples: Sequence[Example], domains: dict[str, str]) -> dict:
    """Top-1 and top-3 accuracy overall and per domain, the most-confused pairs, the share of
    texts with a confident suggestion and its precision, and the throughput of the pass."""
    if not examples:
        return {"n": 0}
    started = time.perf_counter()
    preds = clf.predict([e.text for e in examples])
    seconds = time.perf_counter() - started
    per: dict[str, Counter] = defaultdict(Counter)
    confused: Counter = Counter()
    confident = confident_right = 0
    for ex, pred in zip(examples, preds, strict=True):
        codes = [c for c, _s in pred.items]
        d = per[domains.get(ex.code, "?")]
        d["n"] += 1
        d["top1"] += bool(codes) and codes[0] == ex.code
        d["top3"] += ex.code in codes
        if codes and codes[0] != ex.code:
            confused[(ex.code, codes[0])] += 1
        if pred.confident:
            confident += 1
            confident_right += codes[0] == ex.code
    n = len(examples)
    total = sum(per.values(), Counter())
    return {
        "n": n,
        "top1": round(total["top1"] / n, 4),
        "top3": round(total["top3"] / n, 4),
        "confident_share": round(confident / n, 4),
        "confident_precision": round(confident_right / confident, 4) if confident else None,
        "by_domain": {
            dom: {
                "n": c["n"],
                "top1": round(c["top1"] / c["n"], 4),
                "top3": round(c["top3"] / c["n"], 4),
            }
            for dom, c in sorted(per.items())
        },
        "confused": [
            {"item": a, "predicted": b, "count": k} for (a, b), k in confused.most_common(10)
        ],
        "texts_per_second": round(n / seconds, 1) if seconds else None,
    }
