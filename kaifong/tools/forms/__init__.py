"""Guided form filling: form definitions as data, answer validators, a step-by-step session, PDF and JSON."""
