"""System checks for the comments app's configuration (`manage.py check`, and every start of the
site: kjnews/wsgi.py runs them before gunicorn serves a request)."""

import os

from django.core import checks

from comments.disclosure import DisclosureKeyInvalid, configured_public_key


@checks.register(checks.Tags.security)
def disclosure_public_key_check(app_configs, **kwargs):
    """A malformed DISCLOSURE_PUBLIC_KEY stops start-up here, rather than costing records later."""
    try:
        configured_public_key()
    except DisclosureKeyInvalid as error:
        return [
            checks.Error(
                f"DISCLOSURE_PUBLIC_KEY cannot be used: {error}.",
                hint=(
                    "Set it to the public key `manage.py disclosure_keygen` printed (one line "
                    "of base64, or a PEM public key), or leave it empty to keep no sender "
                    "records. See docs/operations.md, rotating keys."
                ),
                id="comments.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def obsolete_disclosure_key_check(app_configs, **kwargs):
    """The symmetric DISCLOSURE_KEY let every web server open every record; it is not read."""
    if not os.environ.get("DISCLOSURE_KEY"):
        return []
    return [
        checks.Warning(
            "DISCLOSURE_KEY is no longer read: sender records are sealed to "
            "DISCLOSURE_PUBLIC_KEY, and no records are kept until it is set.",
            hint=(
                "Run `manage.py disclosure_keygen`, set DISCLOSURE_PUBLIC_KEY, keep the private "
                "key offline, and remove DISCLOSURE_KEY from the environment."
            ),
            id="comments.W001",
        )
    ]
