"""What a server process does once Django is loaded and before it serves anyone.

Django runs its system checks for `runserver` and `migrate`, not under gunicorn or any other
WSGI server. `refuse_to_start_on_check_errors` runs them where the site is served, so a
misconfiguration (a malformed DISCLOSURE_PUBLIC_KEY, say) stops start-up with its message
instead of failing readers' requests later.
"""

import logging
import sys

from django.core import checks

logger = logging.getLogger("kjnews.startup")


def refuse_to_start_on_check_errors() -> None:
    """Run the system checks (without database access, as `manage.py check` does by default);
    exit with their messages on any error, log the warnings."""
    found = [message for message in checks.run_checks() if not message.is_silenced()]
    errors = [message for message in found if message.is_serious()]
    for warning in (message for message in found if not message.is_serious()):
        logger.warning("System check: %s", warning)
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)
        sys.stderr.write(f"KJ News cannot start: Django's system checks found errors.\n{listed}\n")
        sys.stderr.flush()
        raise SystemExit(1)
