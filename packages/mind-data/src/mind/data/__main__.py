"""``python -m mind.data``: the ``mind-data`` command (convert, info, verify, doctor)."""

import sys

from mind.data._src.cli import main

sys.exit(main())
