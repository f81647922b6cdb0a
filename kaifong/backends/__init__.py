"""Answer backends: the LLMBackend contract and its implementations."""
