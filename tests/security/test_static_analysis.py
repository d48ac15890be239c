"""bandit finds nothing of medium or high severity in the application code.

Justified exceptions are marked where they occur (`# nosec BXXX` beside ruff's `# noqa: SXXX -
reason`). ruff's S rules run in `make test` and CI, so they aren't repeated here.
"""

import subprocess
import sys

from django.conf import settings

APPLICATION = ["accounts", "profiles", "matching", "contracts", "checkins", "peermentor"]


def test_bandit_finds_no_medium_or_high_severity_issue():
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "bandit", "-ll", "-q", "-r", *APPLICATION],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
