import pytest

from mind.core.testing import isolated_plugins


@pytest.fixture(autouse=True)
def _no_entry_points():
    """Every test sees mind-core's built-ins only, whatever else is installed."""
    with isolated_plugins() as manager:
        yield manager
