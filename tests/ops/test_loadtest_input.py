"""`make loadtest`, `make faulttest` and `make prod-local` refuse bad sizes with one line, before
starting anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # uses no database: CI's PostgreSQL pass leaves it out

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.mark.parametrize(
    "script, name, value, message",
    [
        ("loadtest.py", "LOADTEST_USERS", "many", "LOADTEST_USERS must be a whole number"),
        ("loadtest.py", "LOADTEST_USERS", "0", "LOADTEST_USERS must be between 1 and 5000"),
        ("loadtest.py", "LOADTEST_SECONDS", "3", "LOADTEST_SECONDS must be between 10"),
        ("faulttest.py", "OUTAGE_SECONDS", "zz", "OUTAGE_SECONDS must be a whole number"),
        ("faulttest.py", "PORT", "99999", "PORT must be between 1 and 65535"),
        ("prodlocal.py", "WEB_CONCURRENCY", "-2", "WEB_CONCURRENCY must be between 1 and 64"),
    ],
)
def test_a_bad_size_is_refused_with_its_name(script, name, value, message, tmp_path):
    env = {**os.environ, name: value, "PROD_DIR": str(tmp_path / "prod")}
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(SCRIPTS / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "prod").exists()  # nothing was started or created
