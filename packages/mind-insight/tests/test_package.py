"""mind-insight installs on its own, in the shared namespace, at the shared version."""

from mind.core.testing import distribution_problems


def test_mind_insight_is_a_well_formed_mind_distribution():
    assert distribution_problems("mind-insight") == []
