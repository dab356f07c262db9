"""Nightly: forget the CAS session tickets of sessions that ended without a logout (expired,
or closed in the browser), so that the single-logout table does not grow for ever."""

from django_cas_ng.models import ProxyGrantingTicket, SessionTicket
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def clean_cas_session_tickets() -> None:
    ProxyGrantingTicket.clean_deleted_sessions()
    SessionTicket.clean_deleted_sessions()


@db_periodic_task(crontab(hour="3", minute="40"))
def clean_cas_session_tickets_nightly() -> None:
    clean_cas_session_tickets()
