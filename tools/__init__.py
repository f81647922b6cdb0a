"""Developer tools: generators for the parts of the docs that can be generated."""
