"""The read-only REST API: thin viewsets over the same scoped querysets, filters and masking
rules as the pages. Every queryset starts from `Model.objects.visible_to(request.user)`
(through the apps' selectors); a record outside the user's scope answers 404 like an absent
one; a request without a session or token answers 403 (401 when it sent a token that is
not valid). Authentication: the browser session, or `Authorization: Bearer <token>`
(`authentication.py`), both running as the same user with the same scope."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer

from beian.campaigns import selectors as campaign_selectors
from beian.campaigns.api import (
    CampaignFilterSet,
    CampaignSerializer,
    TaskFilterSet,
    TaskSerializer,
    with_counts,
)
from beian.campaigns.models import Campaign, CampaignTask
from beian.compliance import selectors as compliance_selectors
from beian.compliance.api import FindingSerializer
from beian.compliance.filters import FindingFilterSet
from beian.compliance.models import Finding
from beian.core.audit import audit
from beian.core.choices import AuditEventType
from beian.orgs import selectors as orgs_selectors
from beian.orgs.api import PersonSerializer, UnitSerializer
from beian.orgs.filters import PersonFilterSet, UnitFilterSet
from beian.orgs.models import Person, Unit
from beian.registry import selectors as registry_selectors
from beian.registry.api import (
    AccountDetailSerializer,
    AccountSerializer,
    GroupDetailSerializer,
    GroupSerializer,
    PlatformFilterSet,
    PlatformSerializer,
)
from beian.registry.filters import NO, YES, AccountFilterSet, GroupFilterSet
from beian.registry.models import AccountMember, ChatGroup, GroupMember, MediaAccount, Platform

from .authentication import ApiTokenAuthentication, TokenRateThrottle, TokenWriteRateThrottle
from .exceptions import exception_handler
from .pagination import Pagination


def yes_no(name: str, description: str) -> OpenApiParameter:
    """A 是/否 filter of the registry lists (`yes` / `no`; anything else: either)."""
    return OpenApiParameter(name, str, enum=[YES, NO], description=description)


class TokenChallengeMixin:
    """Session first (no challenge: an anonymous browser request answers 403 as before),
    then the token; a request that sent an `Authorization` header is answered 401 with a
    `WWW-Authenticate: Bearer` challenge when it fails."""

    authentication_classes = [SessionAuthentication, ApiTokenAuthentication]
    throttle_classes = [TokenRateThrottle, TokenWriteRateThrottle]

    def get_authenticate_header(self, request):
        if request.META.get("HTTP_AUTHORIZATION"):
            return 'Bearer realm="api"'
        return None

    def handle_exception(self, exc):
        # A number beyond what the database stores (an id of 20 digits in a filter or a
        # body, found by the schema fuzzing): bad input, not a server error.
        if isinstance(exc, OverflowError):
            exc = ValidationError({"detail": _("数值超出范围"), "code": "invalid"})
        return super().handle_exception(exc)


class ApiViewSet(TokenChallengeMixin, viewsets.GenericViewSet):
    """JSON only, session or token authentication, signed-in users, Chinese refusals,
    pagination, the app's FilterSet (given the request, so its unit choices are the
    user's scope)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    queryset_model = None  # the model listed (an empty queryset of it describes the schema)
    detail_serializer_class = None  # the detail's serializer, when it shows more than a row

    def get_exception_handler(self):
        return exception_handler

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.queryset_model.objects.none()
        return self.scoped_queryset(self.request.user)

    def scoped_queryset(self, user) -> QuerySet:
        raise NotImplementedError


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


class ListOnlyViewSet(mixins.ListModelMixin, ApiViewSet):
    pass


@extend_schema_view(
    list=extend_schema(
        summary="新媒体账号列表",
        description="当前用户可见的账号，筛选条件与账号列表页相同。",
        parameters=[
            yes_no("verified", "已认证"),
            yes_no("is_official", "单位官方账号"),
            yes_no("is_personal", "个人名义开设"),
        ],
    ),
    retrieve=extend_schema(
        summary="新媒体账号详情",
        description="含管理队伍；联系方式按权限完整显示或部分隐去。范围外的账号与不存在的一样答 404。",
    ),
)
class AccountViewSet(ReadOnlyViewSet):
    queryset_model = MediaAccount
    serializer_class = AccountSerializer
    detail_serializer_class = AccountDetailSerializer
    filterset_class = AccountFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        accounts = registry_selectors.account_list(user=user).select_related("guiding_unit")
        if self.action == "retrieve":
            members = AccountMember.objects.select_related("person__unit")
            accounts = accounts.prefetch_related(Prefetch("members", queryset=members))
        return accounts


@extend_schema_view(
    list=extend_schema(
        summary="即时群聊列表",
        description="当前用户可见的群聊，筛选条件与群聊列表页相同。",
        parameters=[
            yes_no("has_outside_members", "有校外人员"),
            yes_no("is_temporary", "临时群"),
            yes_no("registered", "已报备"),
        ],
    ),
    retrieve=extend_schema(
        summary="即时群聊详情",
        description="含创建人和群管理员；联系方式按权限完整显示或部分隐去。",
    ),
)
class GroupViewSet(ReadOnlyViewSet):
    queryset_model = ChatGroup
    serializer_class = GroupSerializer
    detail_serializer_class = GroupDetailSerializer
    filterset_class = GroupFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        groups = registry_selectors.group_list(user=user)
        if self.action == "retrieve":
            members = GroupMember.objects.select_related("person__unit")
            groups = groups.select_related("creator__unit").prefetch_related(
                Prefetch("members", queryset=members)
            )
        return groups


@extend_schema_view(
    list=extend_schema(
        summary="单位列表",
        description="当前用户可见的单位，按单位树排列；`unit` 为某单位及其下级。",
        parameters=[OpenApiParameter("is_active", bool, description="在用")],
    ),
    retrieve=extend_schema(summary="单位详情"),
)
class UnitViewSet(ReadOnlyViewSet):
    queryset_model = Unit
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return orgs_selectors.unit_list(user)


@extend_schema_view(
    list=extend_schema(
        summary="人员列表",
        description=(
            "当前用户可见的人员。手机、邮箱、QQ 仅对有权查看者完整显示，否则部分隐去；"
            "返回完整个人信息的每次查询都记入审计日志（批量查看个人信息）。"
        ),
    ),
    retrieve=extend_schema(summary="人员详情"),
)
class PersonViewSet(ReadOnlyViewSet):
    queryset_model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return orgs_selectors.person_list(user)

    def list(self, request, *args, **kwargs):
        """The page of people; when it shows anyone's contact details in full, one audit row
        with the filter and the row count, as the people page writes."""
        response = super().list(request, *args, **kwargs)
        rows = response.data["results"]
        unmasked = sum(1 for row in rows if not row["personal_data_masked"])
        if unmasked:
            audit(
                event=AuditEventType.VIEW_PERSONAL_DATA,
                actor=request.user,
                request=request,
                detail={
                    "filter": request.GET.urlencode(),
                    "rows": len(rows),
                    "unmasked": unmasked,
                    "via": "api",
                },
            )
        return response


@extend_schema_view(
    list=extend_schema(
        summary="检查发现列表",
        description="当前用户可见的检查发现；不带 `state` 时只列待整改的，`state=`（空）列出全部状态。",
    ),
)
class FindingViewSet(ListOnlyViewSet):
    queryset_model = Finding
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return compliance_selectors.finding_list(user=user)


@extend_schema_view(
    list=extend_schema(
        summary="平台目录",
        description="平台目录对所有登录用户相同（不含任何单位的数据）。",
    ),
)
class PlatformViewSet(ListOnlyViewSet):
    queryset_model = Platform
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return Platform.objects.all()


class SchemaView(TokenChallengeMixin, SpectacularAPIView):
    """The OpenAPI 3 description of this API, as YAML (`?format=json` for JSON), for
    signed-in users. No documentation UI: Swagger UI and Redoc load from a CDN."""

    permission_classes = [IsAuthenticated]

    def get_exception_handler(self):
        return exception_handler


@extend_schema_view(
    list=extend_schema(
        summary="填报任务（清查/备案统计）列表",
        description="当前用户可见的填报任务：学校管理员、校领导、审计员看到全部；"
        "其他用户只看到已下发且有本单位填报的任务。",
    ),
    retrieve=extend_schema(summary="填报任务详情"),
)
class CampaignViewSet(ReadOnlyViewSet):
    queryset_model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return campaign_selectors.campaign_list(user=user)


@extend_schema_view(
    list=extend_schema(
        summary="单位填报列表",
        description="当前用户可见的单位填报（二级单位管理员只看到本单位的），含状态、是否逾期"
        "和各类处理数；`campaign` 按填报任务筛选。",
    ),
    retrieve=extend_schema(summary="单位填报详情"),
)
class CampaignTaskViewSet(ReadOnlyViewSet):
    queryset_model = CampaignTask
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def scoped_queryset(self, user) -> QuerySet:
        return with_counts(campaign_selectors.task_list(user=user))
