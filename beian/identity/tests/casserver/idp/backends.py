from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .people import people


class PeopleBackend(ModelBackend):
    """Passwords from the people file; the Django user is made on first use."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        entry = people().get(username or "")
        if not entry or entry.get("password") != password:
            return None
        user, _ = get_user_model().objects.get_or_create(username=username)
        return user
