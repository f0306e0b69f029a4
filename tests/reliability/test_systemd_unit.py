"""deploy/systemd/kjnews.service, the unit docs/deploy.md installs on each node, passes systemd's
own check, with the release folder it names pointed at this checkout."""

import shutil
import subprocess

import pytest

from tests.servers import ROOT

UNIT = ROOT / "deploy" / "systemd" / "kjnews.service"


def test_the_node_unit_passes_systemds_check_and_runs_gunicorn_with_its_config(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    text = UNIT.read_text()
    assert "ExecStart=/srv/kjnews/.venv/bin/gunicorn --config gunicorn.conf.py kjnews.wsgi" in text
    assert "EnvironmentFile=/etc/kjnews/kjnews.env" in text
    unit = tmp_path / "kjnews.service"
    unit.write_text(text.replace("/srv/kjnews", str(ROOT)))

    checked = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )

    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
