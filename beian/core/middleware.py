"""Session lifetime (idle timeout is Django's SESSION_COOKIE_AGE renewed on each request;
this adds the absolute cap) and access to the current request for audit rows."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from .audit import audit
from .choices import AuditEventType
from .context import reset_current_request, set_current_request

LOGIN_AT_KEY = "beian_login_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                started = request.session.get(LOGIN_AT_KEY)
                if started is None:
                    request.session[LOGIN_AT_KEY] = time.time()
                elif time.time() - started > settings.SESSION_ABSOLUTE_MAX_SECONDS:
                    audit(event=AuditEventType.SESSION_EXPIRED, actor=user, request=request)
                    logout(request)
                    return redirect(settings.LOGIN_URL)
            return self.get_response(request)
        finally:
            reset_current_request(token)
