"""``regdesk-cli``: the batch side of RegDesk, over the same services the GUI calls (DESIGN §7).

- ``main``: the entry point (global options, exit statuses, error printing);
- ``parser``: argparse in Chinese, and the helpers commands register with;
- ``context``: ``CliContext``, what every command handler is given;
- ``output``: text, the one JSON object, progress;
- ``commands/``: one module per command group, listed in ``commands.COMMANDS``.

``app.cli.main`` is the entry-point function (``regdesk-cli = app.cli:main``, as
``unittest.main`` is); its module is reached with ``from app.cli.main import …``.
"""

from app.cli.main import main

__all__ = ["main"]
