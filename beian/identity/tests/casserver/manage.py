#!/usr/bin/env python
"""A throw-away identity provider for the identity tests: CAS (django-mama-cas) under
/cas/ (Apereo style, p3) and /authserver/ (金智 style) and OpenID Connect
(django-oauth-toolkit) under /o/. People and their attributes come from the JSON file
named by IDP_PEOPLE, read at each request, so a test can change them between sign-ins."""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idp.settings")
    if os.environ.get("BEIAN_TEST_NOW"):
        # `make test-clock` moves the test process's clock; the identity server must share
        # it, or the tokens it signs are already expired (or not yet valid) for Beian.
        import time_machine

        time_machine.travel(os.environ["BEIAN_TEST_NOW"], tick=True).start()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
