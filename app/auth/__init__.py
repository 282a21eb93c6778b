"""Who is acting and what they may do: the actor, the permissions table, password rules.

``from app.auth import Actor, require, allowed`` is what services and views use.
"""

from app.auth.actor import REVIEWER_OFFICES, ROLES, Actor, cli_actor
from app.auth.passwords import MIN_PASSWORD, check_password, check_username
from app.auth.permissions import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    allowed,
    decidable_offices,
    permits,
    refusal,
    require,
    roles_with,
)

__all__ = [
    "MIN_PASSWORD", "PERMISSIONS", "REVIEWER_OFFICES", "ROLES", "ROLE_PERMISSIONS", "Actor", "allowed",
    "check_password", "check_username", "cli_actor", "decidable_offices", "permits", "refusal", "require",
    "roles_with",
]
