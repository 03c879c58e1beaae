"""Serialising fitted classifiers: pickle, compressed, signed with a key derived from
SECRET_KEY. A row whose signature does not match is refused before it is unpickled, so a
database write alone cannot make the app servers run code."""

from __future__ import annotations

import hashlib
import hmac
import pickle
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.core.errors import ApplicationError

from .classifier import TextClassifier


class ModelRefused(ApplicationError):
    code = "classifier_refused"
    status = 500


def _key() -> bytes:
    return hashlib.sha256(b"civicgrid.intake.classifier:" + settings.SECRET_KEY.encode()).digest()


def sign(blob: bytes) -> str:
    return hmac.new(_key(), blob, hashlib.sha256).hexdigest()


def dumps(clf: TextClassifier) -> tuple[bytes, str]:
    blob = zlib.compress(pickle.dumps(clf, protocol=pickle.HIGHEST_PROTOCOL), 6)
    return blob, sign(blob)


def loads(blob: bytes, digest: str) -> TextClassifier:
    blob = bytes(blob)
    if not hmac.compare_digest(sign(blob), digest or ""):
        raise ModelRefused(_("分类模型的签名不符,已拒绝加载。"))
    clf = pickle.loads(zlib.decompress(blob))  # noqa: S301 — signed above
    if not isinstance(clf, TextClassifier):
        raise ModelRefused(_("分类模型的格式不对,已拒绝加载。"))
    return clf
