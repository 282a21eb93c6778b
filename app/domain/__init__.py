"""Pure domain rules: no I/O, no database, no Qt. Each rule has its own tests."""
