"""The API's error handler: DRF's, with one Chinese message for each refusal that must not
tell more than the pages do, and the error code beside the message.

- 403 `not_authenticated` for a request without a session (session authentication sends
  no `WWW-Authenticate` challenge, so DRF answers 403, never 401);
- 403 `permission_denied`;
- 404 `not_found` both for an absent object and for one outside the user's scope;
- 400 for an invalid filter: `{field: [messages]}` as the filter form words them;
- 400 for a write a service refuses (Django's `ValidationError`): `{field: [messages]}`
  when the service names the field, else `{"detail": message, "code": "invalid"}`;
- 403 with the service's own Chinese reason when it gives one;
- 401 `authentication_failed` for an unknown, revoked or expired token.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _message(exc) -> str | None:
    if isinstance(exc, Http404):
        return _("未找到")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return str(exc.detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        return _("请先登录")
    if isinstance(exc, PermissionDenied) and exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    if isinstance(exc, exceptions.PermissionDenied | PermissionDenied):
        return _("没有权限")
    return None


def _validation_error(exc: ValidationError) -> exceptions.ValidationError:
    """A service's refusal as DRF's 400: `{field: [messages]}`; a refusal that names no
    field under `detail` with the code `invalid`."""
    if hasattr(exc, "error_dict"):
        detail = {
            ("detail" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({"detail": " ".join(exc.messages), "code": "invalid"})


def _is_detail_only(data) -> bool:
    return isinstance(data, dict) and set(data) == {"detail"}


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        exc = _validation_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = _message(exc)
    if isinstance(exc, Http404):
        response.data = {"detail": message, "code": "not_found"}
    elif isinstance(exc, PermissionDenied):
        response.data = {"detail": message, "code": "permission_denied"}
    elif message is not None:
        response.data = {"detail": message, "code": exc.default_code}
    elif isinstance(exc, exceptions.APIException) and _is_detail_only(response.data):
        response.data["code"] = getattr(exc.detail, "code", exc.default_code)
    return response
