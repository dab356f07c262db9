"""The filing-validity endpoint for campus systems (`/api/v1/validity/`): is this account's
filing valid? Asked by platform code + account id, or by link, before the network centre
grants a domain or single sign-on. Public or token-only per `[publication] validity`;
authentication through DRF's configured classes (the session and the API tokens),
rate-limited per client address and per token. A token holder learns of every registered
account; the public only of published ones (others answer not registered)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from . import selectors


class ValiditySerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="备案是否有效（运营中且已备案）")
    status = serializers.ChoiceField(
        choices=[
            "registered",
            "closed",
            "suspended",
            "not_registered",
            "unresolvable_short_link",
            "bad_request",
        ],  # fmt: skip
        help_text="registered 有效；closed 已注销；not_registered 未查到；"
        "unresolvable_short_link 短链接须先在平台打开",
    )
    registration_number = serializers.CharField(help_text="备案编号")
    unit = serializers.CharField(help_text="管理单位")
    valid_since = serializers.DateField(allow_null=True, help_text="备案批准日期")
    closed_on = serializers.DateField(allow_null=True, help_text="注销日期")


class PerAddressThrottle(SimpleRateThrottle):
    """`BEIAN_VALIDITY_RATE` requests per client address, signed in or not."""

    scope = "validity"

    def get_rate(self):
        return settings.BEIAN_VALIDITY_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ValidityView(APIView):
    # per client address, and the API's per-token limits (the project's default throttles)
    throttle_classes = [PerAddressThrottle, *api_settings.DEFAULT_THROTTLE_CLASSES]
    permission_classes = []  # decided per request by the policy (see `check_permissions`)

    def get_authenticate_header(self, request):
        # a request that sent a token that is not valid answers 401 with the challenge
        if request.META.get("HTTP_AUTHORIZATION"):
            return 'Bearer realm="api"'
        return None

    def check_permissions(self, request):
        self.published = selectors.publication_settings()
        if self.published.validity != "public" and not (
            request.user and request.user.is_authenticated
        ):
            raise NotAuthenticated('须凭接口令牌查询（[publication] validity = "token"）')

    @extend_schema(
        summary="账号备案是否有效",
        description=(
            "按平台代码 + 账号，或按链接（任一平台的链接形式）查询账号的备案是否有效。"
            '策略 `[publication] validity` 为 "token" 时须登录或携带接口令牌；公开时只回答已公开的账号。'
        ),
        parameters=[
            OpenApiParameter("platform", str, description="平台代码，如 weibo、wechat_official"),
            OpenApiParameter("id", str, description="账号（微信号、抖音号、QQ 号、主页地址…）"),
            OpenApiParameter("url", str, description="账号的任一链接，如 https://m.weibo.cn/u/123"),
        ],
        responses={200: ValiditySerializer},
        examples=[
            OpenApiExample(
                "有效",
                value={
                    "valid": True,
                    "status": "registered",
                    "registration_number": "HS-2026-0001",
                    "unit": "党委宣传部",
                    "valid_since": "2026-03-02",
                    "closed_on": None,
                },  # fmt: skip
                response_only=True,
            ),
            OpenApiExample(
                "已注销",
                value={
                    "valid": False,
                    "status": "closed",
                    "registration_number": "HS-2025-0009",
                    "unit": "党委宣传部",
                    "valid_since": "2025-01-10",
                    "closed_on": "2025-06-30",
                },  # fmt: skip
                response_only=True,
            ),
            OpenApiExample(
                "未查到",
                value={
                    "valid": False,
                    "status": "not_registered",
                    "registration_number": "",
                    "unit": "",
                    "valid_since": None,
                    "closed_on": None,
                },  # fmt: skip
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        params = request.query_params
        answer = selectors.validity(
            self.published,
            platform=params.get("platform", "").strip()[:40],
            ident=params.get("id", "").strip()[:500],
            url=params.get("url", "").strip()[:500],
            trusted=self.published.validity == "token" or request.user.is_authenticated,
        )
        status = 400 if answer["status"] == "bad_request" else 200
        return Response(ValiditySerializer(answer).data, status=status)
