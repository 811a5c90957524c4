"""mind-core is a well-formed Mind distribution."""

from mind.core.testing import distribution_problems


def test_mind_core_is_a_well_formed_mind_distribution():
    assert distribution_problems("mind-core") == []
