"""The world of the access-control tests (see `world.py`)."""

from __future__ import annotations

import pytest

from tests.security.world import World, build_world


@pytest.fixture
def world(app, make_user, make_org, framework) -> World:
    return build_world(app, make_user, make_org, framework)
