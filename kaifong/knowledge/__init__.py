"""The knowledge base: documents, loaders, chunking and ingestion into the store."""
