"""The site under gunicorn runs Django's system checks before it serves anyone."""

import pytest

from tests.servers import Gunicorn, site_environment


def test_gunicorn_refuses_to_start_with_a_malformed_disclosure_key_and_says_why(test_output_dir):
    log_path = test_output_dir / "gunicorn-malformed-key.log"
    log_path.unlink(missing_ok=True)
    site = Gunicorn(
        site_environment(DISCLOSURE_PUBLIC_KEY="not-a-key"), workers=1, log_path=log_path
    )

    with pytest.raises(RuntimeError, match="gunicorn exited"):
        site.start()

    assert site.process.wait(timeout=10) != 0
    assert "KJ News cannot start: Django's system checks found errors." in site.log()
    assert "(comments.E001) DISCLOSURE_PUBLIC_KEY cannot be used" in site.log()
    assert "Listening at" not in site.log()
