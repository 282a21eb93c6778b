"""RegDesk's Qt user interface. Talks to ``app`` services only; never to the database."""
