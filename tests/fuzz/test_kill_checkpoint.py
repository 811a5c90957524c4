"""kill -9 trials for save_checkpoint overwriting an existing checkpoint (issue 10).

A writer process saves version 1 of a checkpoint over version 0 (versions 1 to 10 in turn
under ``nox -s fuzz``, so that random kills land in a write more often than in Python's start-up)
and is killed with SIGKILL at each of its commit points (every os.replace / os.unlink / os.fsync
call) and at random times. After each kill the file must load whole as one of the versions (old or new, never a mix
or a torn file), and the next successful write to it must leave no temporary behind: the ones the
killed writer left are unlocked, so that write removes them.

The default suite runs every commit point and a few random kills; with ``MIND_FUZZ_N`` set
(``nox -s fuzz``) 50 random ones.
"""

import os
import re
import textwrap

import numpy as np

import mind.core as ms
from mind.core.testing import fuzz

FULL = bool(os.environ.get("MIND_FUZZ_N"))
SHAPE = (1024, 1024, 4)  # 16 MB
WRITES = 10 if FULL else 1
VERSIONS = tuple(range(WRITES + 1))

WRITER = textwrap.dedent(
    """
    import os
    import numpy as np
    import mind.core as ms

    path = os.environ["MIND_KILL_CKPT"]
    shape = tuple(int(x) for x in os.environ["MIND_KILL_SHAPE"].split(","))
    mind_kill_ready()  # random kills land from here on
    for version in range(1, int(os.environ["MIND_KILL_WRITES"]) + 1):
        ms.save_checkpoint(
            {"w": np.full(shape, version, np.float32), "b": np.full(7, version, np.int64)},
            path,
            append_dict={"version": version},
        )
    """
)


def write(path, version):
    ms.save_checkpoint(
        {"w": np.full(SHAPE, version, np.float32), "b": np.full(7, version, np.int64)},
        path,
        append_dict={"version": version},
    )


def temporaries(path):
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{12}}\.tmp")
    return [name for name in os.listdir(path.parent) if pattern.fullmatch(name)]


def test_kill_save_checkpoint_keeps_old_or_new_and_cleans_up(tmp_path):
    path = tmp_path / "net.ckpt"
    write(path, 0)
    seen = {"versions": set(), "left": 0}

    def check(kind):
        loaded = ms.load_checkpoint(path)  # whole: every digest checked
        version = loaded["version"]
        assert version in VERSIONS, (kind, version)
        w, b = loaded["w"].asnumpy(), loaded["b"].asnumpy()
        assert w.shape == SHAPE and np.all(w == version) and np.all(b == version), kind
        seen["versions"].add(version)
        seen["left"] += len(temporaries(path))
        write(path, 0)  # the next successful write ...
        assert temporaries(path) == [], kind  # ... removes what the killed writer left
        assert os.listdir(tmp_path) == ["net.ckpt"], kind

    n_random = 50 if FULL else 3
    counts = fuzz.kill_trials(
        WRITER,
        check,
        n_random=n_random,
        env={
            "MIND_KILL_CKPT": str(path),
            "MIND_KILL_SHAPE": ",".join(map(str, SHAPE)),
            "MIND_KILL_WRITES": str(WRITES),
        },
    )
    print(f"kill trials: {counts}, temporaries left by kills (all removed): {seen['left']}")
    assert counts["random"] == n_random and counts["targeted"] >= 3 * WRITES
    # A kill after a rename leaves that new file; before it, the old one.
    assert seen["versions"] == set(VERSIONS)
    assert seen["left"] >= 1  # a kill at the temporary's fsync left one: the cleanup was tested
