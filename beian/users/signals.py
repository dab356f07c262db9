"""At sign-in, note in the session which step of the second factor it still owes
(beian/users/twofactor.py), so that ordinary pages need no query to know."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import twofactor


@receiver(user_logged_in)
def _note_second_factor_step(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[twofactor.STEP_KEY] = twofactor.step_at_sign_in(user)
