"""MindRecord on Apache Arrow: implementation. The public names live in ``mind.data.mindrecord``.

Modules, in the order data flows through them: ``schema`` (MindSpore schemas, row validation,
Arrow <-> numpy conversion), ``files`` (names, temporary files, fsync, hashing), ``header`` (the
``.meta.json`` sidecar), ``writer`` (``FileWriter``), ``reader`` (``ShardReader``, ``verify``).
"""
