"""Quickstart: check the installation and see which devices Mind can run on.

    python examples/quickstart.py

It runs Mind's self-check (every device's memory is exercised), then lists the devices with their
capabilities. `python -m mind.core info` prints the full report (packages, plugins, numpy, BLAS).
Training LeNet on the shipped digits joins this script with the eager core.
"""

import sys

import mind.core as ms
from mind.core import devices

if not ms.run_check():
    sys.exit("Mind's self-check failed; see the lines above.")

print("\nDevices:")
for name in devices.list_devices():
    device = devices.get_device(name)
    usable, reason = device.availability()
    state = "ready" if usable else f"unavailable: {reason}"
    print(f"  {name:<8} {state}; {len(device.kernels)} kernels; dtypes {sorted(device.dtypes)}")
