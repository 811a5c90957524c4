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


def test_lite_digits_int8_within_one_percent_qat_within_half_and_under_a_third_of_the_size():
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "lite_digits.py"), "--epochs", "10"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=EXAMPLES,
    )
    assert out.returncode == 0, out.stderr
    found = dict(
        re.findall(r"^(fp32|int8 weights|int8 full|int8 qat): accuracy ([0-9.]+)", out.stdout, re.M)
    )
    assert set(found) == {"fp32", "int8 weights", "int8 full", "int8 qat"}, out.stdout
    fp32 = float(found["fp32"])
    assert fp32 >= 0.95
    for kind in ("int8 weights", "int8 full"):
        assert float(found[kind]) >= fp32 - 0.01, out.stdout
    assert float(found["int8 qat"]) >= fp32 - 0.005, out.stdout
    ratio = float(re.search(r"int8 / fp32 size: ([0-9.]+)", out.stdout).group(1))
    assert ratio <= 0.3
