"""One family of application errors: a code, a translated message, an HTTP status.

Services raise these; the web middleware renders them as a page or a message, the
API renders them as JSON. Nothing else should decide how an error looks.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "error"
    status = 400
    default_message = _("请求无法完成。")

    def __init__(self, message: Any = None, *, code: str | None = None, details: Any = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            data["details"] = self.details
        return data


class ValidationFailed(ApplicationError):
    code = "invalid"
    status = 400
    default_message = _("提交的数据有误。")


class PermissionDenied(ApplicationError):
    code = "forbidden"
    status = 403
    default_message = _("您没有执行此操作的权限。")


class NotFound(ApplicationError):
    """Also used for rows outside the user's scope, so that their existence is not revealed."""

    code = "not_found"
    status = 404
    default_message = _("找不到该记录,或您无权查看。")


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    default_message = _("该记录已被他人修改,请刷新后重试。")


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429
    default_message = _("操作太频繁,请稍后再试。")
