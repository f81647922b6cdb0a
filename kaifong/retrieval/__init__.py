"""Retrieval: the Retriever contract and its implementations."""
