"""The examples do what their docstrings promise."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_lenet_digits_reaches_097_test_accuracy(device):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "lenet_digits.py"), "--device", device],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    accuracy = float(re.fullmatch(r"test accuracy: ([0-9.]+)", last).group(1))
    assert accuracy >= 0.97, last
