"""Shared fixtures of the core tests: Hypothesis profiles and the scenario rewrite flag.

``--hypothesis-profile=long`` runs the randomized fault schedules for much longer than CI's
default profile; ``--rewrite`` (declared in tests/conftest.py, so it works from any
directory; or RAFT_REWRITE=1) rewrites the expected output of the
data-driven scenario files instead of comparing it (then review the diff).
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rewrite(request) -> bool:
    try:
        flag = request.config.getoption("--rewrite")
    except ValueError:
        flag = False
    return bool(flag) or os.environ.get("RAFT_REWRITE") == "1"
