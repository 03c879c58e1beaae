"""Personal tokens: issue with username + password (+ TOTP), list and revoke one's own; and
who am I."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.core.errors import ApplicationError
from civicgrid.core.middleware import needs_second_factor
from civicgrid.core.scoping import get_scope
from civicgrid.orgs.choices import CAPABILITIES
from civicgrid.orgs.selectors import user_assignments

from .. import idempotency, tokens
from ..permissions import ApiAccess
from ..serializers import auth as s
from ..serializers.orgs import AssignmentSerializer
from ..throttles import AnonThrottle, TokenIssueThrottle, UserThrottle


class LockedOut(ApplicationError):
    code = "locked_out"
    status = 429


def _fail(request, username: str) -> None:
    """Count a failed second factor toward django-axes' lock-out like a wrong password."""
    user_login_failed.send(
        sender=__name__, credentials={"username": username}, request=request._request
    )


class TokenListCreateView(APIView):
    throttle_classes = [TokenIssueThrottle, AnonThrottle, UserThrottle]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [ApiAccess()]

    @extend_schema(responses=s.ApiTokenSerializer(many=True))
    def get(self, request):
        """The caller's own tokens (never the token values)."""
        rows = tokens.token_list(user=request.user)
        return Response(s.ApiTokenSerializer(rows, many=True).data)

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={201: s.IssuedTokenSerializer},
        parameters=[idempotency.PARAMETER],
        auth=[],
    )
    def post(self, request):
        """Issue a token. Users who must pass two factors send ``otp``. Failures count toward
        the sign-in lock-out (django-axes) exactly like failed sign-ins on the page."""
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        django_request = request._request
        user = authenticate(django_request, username=d["username"], password=d["password"])
        if getattr(django_request, "axes_locked_out", False):
            # Answered here in the API's shape; AxesMiddleware would swap in its HTML page.
            django_request.axes_locked_out = False
            raise LockedOut(
                _("登录失败次数过多,账号已暂时锁定,请 %(n)d 分钟后再试。")
                % {"n": int(float(settings.AXES_COOLOFF_TIME) * 60)}
            )
        if user is None:
            raise exceptions.AuthenticationFailed(_("用户名或密码不正确。"))
        if needs_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                raise exceptions.PermissionDenied(
                    _("该账号须先在网页上设置两步验证,才能申请接口令牌。")
                )
            if not d.get("otp"):
                raise exceptions.AuthenticationFailed(_("请提供动态验证码(otp)。"))
            if not device.verify_token(d["otp"]):
                _fail(request, d["username"])
                raise exceptions.AuthenticationFailed(_("动态验证码不正确或已过期。"))
        request.user = user

        def create(_key):
            issued = tokens.token_issue(
                actor=user, user=user, name=d.get("name", ""), days=d["expires_in_days"]
            )
            user_logged_in.send(sender=user.__class__, request=django_request, user=user)
            data = s.IssuedTokenSerializer(issued.token).data
            data["token"] = issued.secret
            return Response(data, status=status.HTTP_201_CREATED)

        return idempotency.run(request, create, redact=lambda body: {**body, "token": None})


class TokenRevokeView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Revoke one of the caller's tokens; it stops working at once."""
        tokens.token_revoke(actor=request.user, token_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        """The caller, their role assignments and what those roles allow."""
        user = request.user
        roles = get_scope(user).roles
        capabilities = sorted({c for r in roles for c in CAPABILITIES.get(r, frozenset())})
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": getattr(user, "display_name", "") or "",
            "assignments": AssignmentSerializer(user_assignments(user=user), many=True).data,
            "capabilities": capabilities,
        }
        return Response(data)
