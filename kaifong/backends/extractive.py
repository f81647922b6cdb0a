"""The offline default backend: composes the answer from the best passages deterministically, no model."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from kaifong.backends.base import Completion, CompletionRequest
from kaifong.governance.guards.injection import PASSAGE_MARKER, PASSAGE_WITHHELD
from kaifong.language.convert import to_hans
from kaifong.language.messages import localise
from kaifong.types import ScoredPassage

MAX_SECTION_CHARS = 700

#: Question cues → words in the section headings that answer them (English and Chinese headings).
INTENTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(r"帶|文件|證明|document|bring|need to take|証", re.IGNORECASE),
        ("bring", "document", "文件", "證明"),
    ),
    (
        re.compile(
            r"幾多錢|幾錢|費用|收費|金額|多少|how much|fee|cost|amount|rate|幾多|津貼額", re.IGNORECASE
        ),
        ("amount", "fee", "limit", "金額", "費用", "收費", "限額"),
    ),
    (
        re.compile(
            r"點樣|點申請|如何|怎样|怎樣|怎麼|怎么|how do|how to|how can|how should|步驟", re.IGNORECASE
        ),
        ("how", "step", "申請步驟", "申請方法", "步驟", "辦理"),
    ),
    (
        re.compile(r"資格|合資格|邊個可以|誰可以|可唔可以|可否|eligib|qualif|who can|can i", re.IGNORECASE),
        ("who", "eligib", "資格"),
    ),
    (
        re.compile(r"apply|申請|办理|辦理", re.IGNORECASE),
        ("how", "step", "申請步驟", "申請方法", "步驟", "辦理"),
    ),
)


def _intent_headings(question: str) -> tuple[str, ...]:
    for pattern, headings in INTENTS:
        if pattern.search(question):
            return headings
    return ()


def _shorten(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    text = "\n".join(line for line in text.splitlines() if PASSAGE_MARKER not in line)
    if len(text) <= limit:
        return text
    lines: list[str] = []
    size = 0
    for line in text.splitlines():
        if lines and size + len(line) > limit:
            break
        lines.append(line)
        size += len(line) + 1
    short = "\n".join(lines)
    return short if len(short) <= limit else short[: limit - 1].rstrip() + "…"


def choose_passages(question: str, passages: tuple[ScoredPassage, ...]) -> list[ScoredPassage]:
    """The passages of the best document that answer the question: the intent's section first."""
    if not passages:
        return []
    top_doc = passages[0].passage.doc_id
    own = [sp for sp in passages if sp.passage.doc_id == top_doc and sp.passage.text != PASSAGE_WITHHELD]
    wanted = _intent_headings(question)
    if wanted:
        matching = [sp for sp in own if any(w in sp.passage.heading.lower() for w in wanted)]
        if matching:
            return matching[:1] + [sp for sp in own if sp not in matching][:1]
    return own[:2]


class ExtractiveBackend:
    """Answers with the official text itself: an intro in the resident's register, then the best sections."""

    name = "extractive"
    version = "1"

    async def complete(self, request: CompletionRequest) -> Completion:
        """Compose from the top document's best sections; cite that document (and a close second)."""
        chosen = choose_passages(request.question, request.passages)
        if not chosen:
            return Completion(text="", cited_doc_ids=())
        det = request.detection
        first = chosen[0].passage
        parts = [localise("status.answered.intro", det.language, det.script, title=first.title)]
        for sp in chosen:
            heading = f"{sp.passage.heading}\n" if sp.passage.heading else ""
            parts.append(f"{heading}{_shorten(sp.passage.text)}")
        cited = [first.doc_id]
        second = next((sp for sp in request.passages if sp.passage.topic != first.topic), None)
        if second is not None and second.coverage >= 0.75 and second.score >= 0.6 * request.passages[0].score:
            parts.append(
                localise("status.answered.more", det.language, det.script, title=second.passage.title)
            )
            cited.append(second.passage.doc_id)
        parts.append(localise("status.answered.check", det.language, det.script))
        text = "\n\n".join(parts)
        if det.is_chinese and det.script == "Hans":
            text = to_hans(text)
        return Completion(text=text, cited_doc_ids=tuple(cited))

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Completion]:
        """The composed answer a paragraph at a time (written at once: there is no model to wait for)."""
        whole = await self.complete(request)
        paragraphs = whole.text.split("\n\n")
        for index, paragraph in enumerate(paragraphs):
            piece = paragraph if index == len(paragraphs) - 1 else paragraph + "\n\n"
            yield Completion(text=piece, cited_doc_ids=whole.cited_doc_ids if index == 0 else ())
