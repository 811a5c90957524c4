"""``python -m mind.core info [--json]`` and ``python -m mind.core check``."""

import sys

from mind.core._src.info import main

sys.exit(main())
