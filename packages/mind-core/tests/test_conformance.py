"""The device conformance suite, run against mind-core's own devices."""

from mind.core.testing.conformance import DeviceConformance


class TestCpuConformance(DeviceConformance):
    device = "cpu"


class TestNativeConformance(DeviceConformance):
    device = "native"
