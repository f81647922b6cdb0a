"""A scripted translation model for tests and benchmarks: a phrase table, not a language model."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from kaifong.backends.base import BackendError


class PhraseTableModel:
    """Answers translation prompts by replacing phrases from a table; records every prompt it was sent.

    ``phrases`` maps source phrases to their rendering (longest first). ``faults`` scripts misbehaviour
    for the next calls, one per call: ``"drop_tokens"`` (loses ``[[Tn]]`` tokens), ``"not_json"`` (plain
    prose instead of a JSON array), ``"short"`` (one translation too few) and ``"down"`` (BackendError).
    Like a real model, it renders an unprotected official name however its table says — which is how
    the benchmark shows what the glossary enforcement is for.
    """

    name = "phrase-table"
    version = "1"

    def __init__(self, phrases: Mapping[str, str] | None = None, faults: Sequence[str] = ()) -> None:
        self.phrases = dict(phrases or {})
        ordered = sorted(self.phrases, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(p) for p in ordered)) if ordered else None
        self.faults = list(faults)
        self.calls: list[list[dict[str, str]]] = []

    async def generate(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The segments of the last message's JSON payload, translated by the table, as a JSON array."""
        self.calls.append([dict(m) for m in messages])
        fault = self.faults.pop(0) if self.faults else ""
        if fault == "down":
            raise BackendError("phrase-table: scripted outage")
        segments = json.loads(messages[-1]["content"])["segments"]
        out = [self._render(str(s)) for s in segments]
        if fault == "drop_tokens":
            out = [s.replace("[[T", "[[X") for s in out]
        if fault == "short":
            out = out[:-1]
        if fault == "not_json":
            return "Here is your translation: " + " / ".join(out)
        return json.dumps(out, ensure_ascii=False)

    def _render(self, text: str) -> str:
        """One pass, longest phrase first (a rendering is never rendered again)."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.phrases[m.group(0)], text)

    def prompts_text(self) -> str:
        """Everything the model was ever sent, joined (for checks that no personal data reached it)."""
        return "\n".join(m["content"] for call in self.calls for m in call)
