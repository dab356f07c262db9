"""Request-scoped state, in a leaf module that imports nothing of Beian's (as NetBox keeps
its ContextVars in `netbox/context.py`): the current request, for the audit rows written
deep inside services."""

import contextvars

_request: contextvars.ContextVar = contextvars.ContextVar("beian_request", default=None)


def current_request():
    """The request being served by this thread or task, or None outside a request."""
    return _request.get()


def set_current_request(request) -> contextvars.Token:
    return _request.set(request)


def reset_current_request(token: contextvars.Token) -> None:
    _request.reset(token)
