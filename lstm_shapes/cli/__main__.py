"""``python -m lstm_shapes.cli``: the same as the ``lstm-shapes`` command."""

import sys

from lstm_shapes.cli import main

sys.exit(main())
