"""The shipped NCF requires observations completed by the assessor from version 3.1, the
worked example of a new version; version 3 does not."""

from __future__ import annotations

from app.cli.frameworks import import_bundled_frameworks
from app.services.frameworks import catalogue as framework_service


def test_ncf_3_1_requires_the_assessor_to_complete_observations_and_3_does_not(app):
    import_bundled_frameworks()
    three, three_one = (framework_service.find_framework("ncf-pcpt", v) for v in ("3", "3.1"))
    assert (three.require_assessor_completion, three_one.require_assessor_completion) == (
        False,
        True,
    )
