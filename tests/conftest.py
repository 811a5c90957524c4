import os

import pytest

from mind.core.testing import cache_dir

# The peer comparisons need PyTorch, which only the peers session installs (nox -s peers).
collect_ignore = [] if os.environ.get("MIND_PEERS") else ["peers"]


@pytest.fixture(autouse=True, scope="session")
def _native_cache(tmp_path_factory):
    """Modules the native device builds (the docs' examples run on it) go to a fresh cache for
    the session, never ~/.cache."""
    with cache_dir(tmp_path_factory.mktemp("mind-cache")):
        yield
