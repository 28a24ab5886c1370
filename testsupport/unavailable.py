"""What a test does when something it needs from outside Python is missing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(test: str, reason: str) -> NoReturn:
    """Skip `test`, saying why; under CI, which installs what every test needs, fail."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{test} cannot run under CI: {reason}")
    pytest.skip(f"{test} cannot run: {reason}")
