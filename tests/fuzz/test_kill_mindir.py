"""kill -9 trials for ``export`` overwriting an existing ``.mindir`` (issue 10).

A writer process exports version 1 of a net over version 0 and is killed with SIGKILL at each of
its commit points (every os.replace / os.unlink / os.fsync call) and at random times. After each
kill the file must load whole (every digest checked) and run as one of the versions, never a mix
or a torn file, and the next successful export to it must leave no temporary behind: the ones the
killed writer left are unlocked, so that write removes them.

The default suite runs every commit point and a few random kills; with ``MIND_FUZZ_N`` set
(``nox -s fuzz``) 50 random ones.
"""

import os
import re
import textwrap

import numpy as np

import mind.core as ms
from mind.core import Tensor, nn
from mind.core.testing import fuzz

SHAPE = (512, 1024, 4)  # 8 MB of weight: a write takes long enough for random kills to land
VERSIONS = (0, 1)
X = np.array([1.0, 2.0, 3.0, 4.0], np.float32)

NET = textwrap.dedent(
    """
    import numpy as np
    import mind.core as ms
    from mind.core import Parameter, Tensor, nn


    class Net(nn.Cell):
        def __init__(self, version, shape):
            super().__init__()
            self.w = Parameter(np.full(shape, version, np.float32), name="w")

        def construct(self, x):
            return (self.w * x).sum()


    def export(path, version, shape):
        x = Tensor(np.array([1.0, 2.0, 3.0, 4.0], np.float32))
        ms.export(Net(version, shape), x, file_name=path)
    """
)

WRITER = NET + textwrap.dedent(
    """
    import os

    shape = tuple(int(x) for x in os.environ["MIND_KILL_SHAPE"].split(","))
    mind_kill_ready()  # random kills land from here on
    export(os.environ["MIND_KILL_MINDIR"], 1, shape)
    """
)


_NS: dict = {}
exec(NET, _NS)  # the parent exports with the same code as the writer


def export(path, version):
    _NS["export"](path, version, SHAPE)


def temporaries(path):
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{12}}\.tmp")
    return [name for name in os.listdir(path.parent) if pattern.fullmatch(name)]


def test_kill_export_keeps_old_or_new_and_cleans_up(tmp_path):
    path = tmp_path / "net.mindir"
    export(path, 0)
    seen = {"versions": set(), "left": 0}
    per_version = float(np.prod(SHAPE[:2]) * X.sum())

    def check(kind):
        graph = ms.load(path)  # whole: the header and every tensor digest checked
        w = graph.weights["w"]
        version = int(w.flat[0])
        assert version in VERSIONS, (kind, version)
        assert w.shape == SHAPE and np.all(w == version), kind
        out = float(nn.GraphCell(graph)(Tensor(X)).asnumpy())
        assert out == version * per_version, (kind, out)
        seen["versions"].add(version)
        seen["left"] += len(temporaries(path))
        export(path, 0)  # the next successful write ...
        assert temporaries(path) == [], kind  # ... removes what the killed writer left
        assert os.listdir(tmp_path) == ["net.mindir"], kind

    n_random = 50 if os.environ.get("MIND_FUZZ_N") else 3
    counts = fuzz.kill_trials(
        WRITER,
        check,
        n_random=n_random,
        env={"MIND_KILL_MINDIR": str(path), "MIND_KILL_SHAPE": ",".join(map(str, SHAPE))},
    )
    print(f"kill trials: {counts}, temporaries left by kills (all removed): {seen['left']}")
    assert counts["random"] == n_random and counts["targeted"] >= 3
    # A kill after the rename leaves the new file; before it, the old one.
    assert seen["versions"] == {0, 1}
    assert seen["left"] >= 1  # a kill at the temporary's fsync left one: the cleanup was tested
