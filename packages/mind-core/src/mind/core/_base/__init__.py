"""mind-core's dependency-free infrastructure: atomic file writes and the C build cache.

Nothing here imports the ops, Tensor or numpy-level code of ``mind.core._src``, so a package that
needs only these (mind-lite's runtime) imports them without loading the rest of mind-core.
"""
