"""Public-service tools built on the core: the service and course finder, guided form filling, translation."""
