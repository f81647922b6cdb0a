"""Persistence: the engine, the schema and the queries over it."""
