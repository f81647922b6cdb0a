"""Governance: input sanitising and personal-data (PII) detection and redaction."""
