import pytest

from mind.core.testing import cache_dir, isolated_plugins


@pytest.fixture(autouse=True)
def _no_entry_points():
    """Every test sees mind-core's built-ins only, whatever else is installed."""
    with isolated_plugins() as manager:
        yield manager


@pytest.fixture(autouse=True, scope="session")
def _native_cache(tmp_path_factory):
    """Modules the native device builds go to a fresh cache for the session, never ~/.cache."""
    with cache_dir(tmp_path_factory.mktemp("mind-cache")):
        yield
