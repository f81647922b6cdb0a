"""The request pipeline: one ChatContext passed through a flat tuple of small async steps."""

from kaifong.pipeline.runner import DEFAULT_STEPS, answer

__all__ = ["DEFAULT_STEPS", "answer"]
