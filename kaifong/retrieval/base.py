"""The Retriever protocol: the seam between the pipeline and whatever finds passages."""

from __future__ import annotations

from typing import Protocol

from kaifong.types import Detection, ScoredPassage


class Retriever(Protocol):
    """Finds the knowledge-base passages that best answer a question.

    Contract:
    - ``search(text, detection, top_k)`` takes the sanitised, *redacted* question and its detection and
      returns at most ``top_k`` passages, best first, scores descending, each with ``coverage`` in [0, 1].
    - Chinese questions (``detection.is_chinese``) search Chinese passages and English questions English
      ones; a question with no searchable term returns ``[]``.
    - It never raises for any string input; an empty knowledge base returns ``[]``.
    - ``name`` is the registered, kebab-case name shown on the transparency page.
    """

    name: str

    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """The best passages for ``text``, best first."""
        ...
