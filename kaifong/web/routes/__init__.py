"""HTTP routes: chat (HTML), api (JSON) and health."""
