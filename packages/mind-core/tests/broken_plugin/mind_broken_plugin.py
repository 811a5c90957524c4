"""A plugin whose import fails, as one with a missing dependency would."""

raise RuntimeError("mind_broken_plugin cannot be imported (on purpose, for mind-core's tests)")
