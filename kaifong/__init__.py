"""Kaifong (街坊): an open, self-hostable AI public-service layer for Hong Kong."""

from kaifong.types import Answer, Citation, Detection, Passage

__all__ = ["Answer", "Citation", "Detection", "Passage"]
__version__ = "0.1.0"
