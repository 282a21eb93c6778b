"""``python -m app.cli``: the same as ``regdesk-cli``."""

import sys

from app.cli.main import main

sys.exit(main())
