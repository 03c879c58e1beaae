"""The workflow verbs of a case as explicit endpoints: ``POST /cases/{id}/{verb}/`` for every
action of the transition table (``cases.workflow.ACTIONS``), plus whistle and report,
supervision and its answer, joint-task replies and confirming the grid. Each calls the same
service as the case page; refusals come back in the API's error shape."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from civicgrid.cases import oversight, selectors, services, workflow
from civicgrid.cases.models import CaseTask, Supervision, WhistleResponse
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.geo.models import Area, Grid
from civicgrid.orgs.models import Unit

from .. import idempotency
from ..serializers import cases as s
from .base import ID_REGEX

VERB_SERIALIZERS = {
    "dispatch": s.DispatchSerializer,
    "rate": s.RateSerializer,
    "merge": s.MergeSerializer,
}


def _invalid(field: str, message) -> ValidationFailed:
    return ValidationFailed(message, details={field: [message]})


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class VerbsMixin:
    """Added to CaseViewSet; needs ``get_case`` and ``detail_response``."""

    def _transition(self, request, pk, verb: str):
        def run(_key):
            case = self.get_case(pk)
            d = _parse(VERB_SERIALIZERS.get(verb, s.VerbSerializer), request)
            user, extra = request.user, {}
            if d.get("to_unit"):
                extra["to_unit"] = Unit.objects.filter(
                    pk=d["to_unit"], department__isnull=False
                ).first()
                if extra["to_unit"] is None:
                    raise _invalid("to_unit", _("只能派给职能部门。"))
            if d.get("to_area"):
                extra["to_area"] = Area.objects.restrict(user).filter(pk=d["to_area"]).first()
                if extra["to_area"] is None:
                    raise _invalid("to_area", _("找不到该区划,或您无权查看。"))
            if d.get("mode"):
                extra["mode"] = d["mode"]
            if "rating" in d:
                extra["rating"] = d["rating"]
            if "merged_into" in d:
                extra["merged_into"] = (
                    selectors.case_base(user=user).filter(pk=d["merged_into"]).first()
                )
                if extra["merged_into"] is None:
                    raise _invalid("merged_into", _("找不到要合并到的事件。"))
            case = services.case_transition(
                actor=user,
                case=case,
                action=verb,
                note=d.get("note", ""),
                expected_version=d.get("version"),
                **extra,
            )
            return self.detail_response(case)

        return idempotency.run(request, run)

    def _oversight(self, request, pk, serializer_class, perform):
        def run(_key):
            case = self.get_case(pk)
            perform(case, _parse(serializer_class, request))
            return self.detail_response(case)

        return idempotency.run(request, run)

    @extend_schema(
        request=s.WhistleSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def whistle(self, request, pk=None):
        """吹哨: street staff call departments to report on the case within ``report_hours``."""

        def perform(case, d):
            units = list(Unit.objects.filter(pk__in=d["units"], department__isnull=False))
            if len(units) != len(set(d["units"])):
                raise _invalid("units", _("只能向职能部门吹哨。"))
            oversight.whistle_blow(
                actor=request.user,
                case=case,
                units=units,
                report_hours=d["report_hours"],
                note=d["note"],
            )

        return self._oversight(request, pk, s.WhistleSerializer, perform)

    def _response(self, case, rid) -> WhistleResponse:
        response = WhistleResponse.objects.filter(pk=rid, call__case=case).first()
        if response is None:
            raise NotFound()
        return response

    @extend_schema(
        request=s.WhistleReportSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        url_path=rf"whistle-responses/(?P<response_id>{ID_REGEX})/report",
    )
    def whistle_report(self, request, pk=None, response_id=None):
        """报到: a called department reports on the case."""

        def perform(case, d):
            oversight.whistle_report(
                actor=request.user, response=self._response(case, response_id), text=d["text"]
            )

        return self._oversight(request, pk, s.WhistleReportSerializer, perform)

    @extend_schema(
        request=s.WhistleRateSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        url_path=rf"whistle-responses/(?P<response_id>{ID_REGEX})/rate",
    )
    def whistle_rate(self, request, pk=None, response_id=None):
        """The street scores a department's report 1–5."""

        def perform(case, d):
            oversight.whistle_rate(
                actor=request.user,
                response=self._response(case, response_id),
                score=d["score"],
                comment=d.get("comment", ""),
            )

        return self._oversight(request, pk, s.WhistleRateSerializer, perform)

    @extend_schema(
        request=s.SuperviseSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def supervise(self, request, pk=None):
        """督办: the tier above flags the case; the handler must answer."""

        def perform(case, d):
            oversight.supervise(actor=request.user, case=case, note=d["note"])

        return self._oversight(request, pk, s.SuperviseSerializer, perform)

    @extend_schema(
        request=s.SupervisionAnswerSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        url_path=rf"supervisions/(?P<supervision_id>{ID_REGEX})/answer",
    )
    def supervision_answer(self, request, pk=None, supervision_id=None):
        """The handler answers a supervision."""

        def perform(case, d):
            sup = Supervision.objects.filter(pk=supervision_id, case=case).first()
            if sup is None:
                raise NotFound()
            oversight.supervision_answer(actor=request.user, supervision=sup, answer=d["answer"])

        return self._oversight(request, pk, s.SupervisionAnswerSerializer, perform)

    @extend_schema(
        request=s.TaskReplySerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(
        detail=True,
        methods=["post"],
        filterset_class=None,
        url_path=rf"tasks/(?P<task_id>{ID_REGEX})/reply",
    )
    def task_reply(self, request, pk=None, task_id=None):
        """A department replies on its part of a jointly handled case (区级部门联办)."""

        def perform(case, d):
            task = CaseTask.objects.filter(pk=task_id, case=case).first()
            if task is None:
                raise NotFound()
            services.task_reply(actor=request.user, task=task, reply=d["reply"])

        return self._oversight(request, pk, s.TaskReplySerializer, perform)

    @extend_schema(
        request=s.LocateSerializer,
        responses=s.CaseDetailSerializer,
        filters=False,
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def locate(self, request, pk=None):
        """Confirm the grid of an unlocated case (the 待定位 queue)."""

        def perform(case, d):
            grid = Grid.objects.restrict(request.user).filter(pk=d["grid"]).first()
            if grid is None:
                raise _invalid("grid", _("找不到该网格,或您无权查看。"))
            services.case_locate(actor=request.user, case=case, grid=grid, note=d.get("note", ""))

        return self._oversight(request, pk, s.LocateSerializer, perform)


def _make_verb(verb: workflow.Action):
    serializer_class = VERB_SERIALIZERS.get(verb.name, s.VerbSerializer)

    def view(self, request, pk=None):
        return self._transition(request, pk, verb.name)

    view.__name__ = f"verb_{verb.name}"
    with translation.override("zh-hans"):  # the schema text must not depend on the request
        label = str(verb.label)
    view.__doc__ = (
        f"「{label}」({verb.name}): from "
        + ", ".join(sorted(verb.sources))
        + (f" to {verb.target}." if verb.target else "; the service decides the new state.")
        + (" A `note` is required." if verb.needs_note else "")
        + " Performed by the case's "
        + verb.actor
        + "."
    )
    view = extend_schema(
        request=serializer_class,
        responses=s.CaseDetailSerializer,
        parameters=[idempotency.PARAMETER],
        filters=False,
        operation_id=f"cases_{verb.name}",
    )(view)
    return action(detail=True, methods=["post"], url_path=verb.name, filterset_class=None)(view)


for _verb in workflow.ACTIONS.values():
    setattr(VerbsMixin, f"verb_{_verb.name}", _make_verb(_verb))
