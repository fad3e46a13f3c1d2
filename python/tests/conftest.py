"""Fixtures for the kfk package's suite: the broker (KFK_BOOTSTRAP) and
fresh topic names. Tests that need a broker fail, not skip, without one."""
import os
import uuid

import pytest


@pytest.fixture(scope="session")
def bootstrap():
    servers = os.environ.get("KFK_BOOTSTRAP")
    if not servers:
        pytest.fail("KFK_BOOTSTRAP is not set: run through python/tests/run from make test")
    return servers


@pytest.fixture
def topic_name():
    return "py-" + uuid.uuid4().hex[:12]
