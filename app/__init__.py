"""RegDesk application layer: domain rules, services and devices. No Qt here."""

__version__ = "0.1.0"
