"""The ``regdesk-cli`` commands, one module per group; each module has ``register(sub)``.

``COMMANDS`` is the list ``app.cli.main`` registers, in the order ``regdesk-cli --help`` lists
them. It is spelled out (not discovered from the folder) so PyInstaller and readers see every
import; a new command group is a module here and one entry in the list.
"""

from __future__ import annotations

from app.cli.commands import (
    audit,
    candidate,
    demo,
    devices,
    documents,
    fingerprint,
    init,
    photo,
    reference,
    review,
    roster,
    settings,
    user,
    waiver,
)

COMMANDS = (init, demo, roster, candidate, audit, user, reference, review, waiver, settings, documents, photo,
            devices, fingerprint)
