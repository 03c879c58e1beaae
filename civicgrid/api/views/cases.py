"""Cases: the queues, the case with its ledger, intake, and the workflow verbs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.cases import selectors, services, workflow
from civicgrid.cases.choices import Source
from civicgrid.cases.models import Case
from civicgrid.core.errors import NotFound, ValidationFailed
from civicgrid.geo.models import Grid

from .. import filters, idempotency
from ..serializers import cases as s
from .base import ReadOnlyViewSet
from .verbs import VerbsMixin


def case_detail_data(user, case: Case, context) -> dict:
    """The case page's content: the case, its ledger, attachments, joint tasks, whistles,
    supervisions and the verbs the user may perform now."""
    from civicgrid.cases.permissions import may

    case.ledger = list(selectors.case_ledger(case=case))
    case.attachment_list = list(case.attachments.all())
    case.task_list = list(case.tasks.select_related("unit"))
    case.whistle_list = list(case.whistle_calls.prefetch_related("responses__unit"))
    case.supervision_list = list(case.supervisions.all())
    case.action_list = [
        {"name": a.name, "label": str(a.label), "needs_note": a.needs_note}
        for a in workflow.available(case.status)
        if may(user, case, a.actor)
    ]
    return s.CaseDetailSerializer(case, context=context).data


@extend_schema(tags=["cases"])
class CaseViewSet(VerbsMixin, mixins.CreateModelMixin, ReadOnlyViewSet):
    """Cases in the caller's areas. ``queue`` selects one of the work queues of the case page;
    the other parameters are the page's filters and its Chinese full-text search."""

    filterset_class = filters.CaseFilter

    def get_queryset(self):
        return selectors.case_base(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return s.CaseCreateSerializer
        return s.CaseSerializer

    def get_case(self, pk) -> Case:
        case = selectors.case_get(user=self.request.user, pk=pk)
        if case is None:
            raise NotFound()
        return case

    def detail_response(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.case_get(user=self.request.user, pk=case.pk)
        if fresh is None:  # the action moved the case out of the caller's sight
            return Response(s.CaseSerializer(case).data, status=code)
        return Response(
            case_detail_data(self.request.user, fresh, self.get_serializer_context()), status=code
        )

    @extend_schema(responses=s.CaseDetailSerializer)
    def retrieve(self, request, pk=None):
        case = self.get_case(pk)
        return Response(case_detail_data(request.user, case, self.get_serializer_context()))

    @extend_schema(
        request=s.CaseCreateSerializer,
        responses={201: s.CaseSerializer},
        parameters=[idempotency.PARAMETER],
    )
    def create(self, request):
        """Report a case through ``case_create`` (or ``case_quick_handle`` with ``quick``)."""
        serializer = s.CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data

        def create(domain_key: str | None) -> Response:
            grid = None
            if d.get("grid"):
                grid = Grid.objects.restrict(request.user).filter(pk=d["grid"]).first()
                if grid is None:
                    message = _("找不到该网格,或您无权在该网格上报。")
                    raise ValidationFailed(message, details={"grid": [message]})
            kwargs = {
                "actor": request.user,
                "item": d["item"],
                "text": d["text"],
                "lon": d.get("lon"),
                "lat": d.get("lat"),
                "grid": grid,
                "address": d.get("address", ""),
                "idempotency_key": domain_key,
                "source": d.get("source") or Source.PATROL,
                "reporter_name": d.get("reporter_name", ""),
                "reporter_phone": d.get("reporter_phone", ""),
            }
            if d.get("quick"):
                case = services.case_quick_handle(note=d["quick_note"], **kwargs)
            else:
                case = services.case_create(**kwargs)
            case = Case.objects.select_related(
                "item", "area", "grid", "handler_area", "handler_unit"
            ).get(pk=case.pk)
            return Response(s.CaseSerializer(case).data, status=status.HTTP_201_CREATED)

        return idempotency.run(request, create)

    @extend_schema(
        responses=OpenApiResponse(s.QueueSerializer(many=True), description="Queue counts."),
        filters=False,
    )
    @action(detail=False, pagination_class=None, filterset_class=None)
    def queues(self, request):
        """The work queues of the case page with the number of cases in each."""
        counts = selectors.queue_counts(user=request.user)
        return Response(
            [
                {"name": name, "label": str(label), "count": counts.get(name, 0)}
                for name, label in selectors.QUEUES.items()
                if name != "all"
            ]
        )
