import pytest

from mind.core.testing import isolated_plugins


@pytest.fixture(autouse=True)
def _no_entry_points():
    """Every test sees mind-core's built-ins only, whatever else is installed."""
    with isolated_plugins() as manager:
        yield manager


@pytest.fixture(autouse=True, scope="session")
def _native_cache(tmp_path_factory):
    """The native device's built modules go to a fresh cache for the session, never ~/.cache."""
    import os

    saved = os.environ.get("MIND_CACHE_DIR")
    os.environ["MIND_CACHE_DIR"] = str(tmp_path_factory.mktemp("mind-cache"))
    yield
    if saved is None:
        os.environ.pop("MIND_CACHE_DIR", None)
    else:
        os.environ["MIND_CACHE_DIR"] = saved
