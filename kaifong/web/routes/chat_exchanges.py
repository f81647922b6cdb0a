"""What the chat page shows of one exchange, from a fresh Answer or re-rendered from a stored turn.

A stored turn keeps the redacted question, the answer, its status and the topics it cited (sealed, see
kaifong.store.conversations), not how it was shown. The rest is derived again the way the pipeline first
derived it: the language form from the question (kaifong.language.detect), the AI label in that form, each
cited topic's source (title, department, URL, reviewed date) from the knowledge base in the question's
language group and script, and the human route (the cited department's hotline, else 1823; 999 and 18111
for a person in crisis), as kaifong.pipeline.runner builds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from kaifong.governance.pii import DEFAULT_RECOGNIZERS
from kaifong.language import detect, to_hans
from kaifong.language.messages import localise
from kaifong.store.conversations import Turn
from kaifong.store.tables import documents
from kaifong.types import Answer, Citation, Detection

#: HTML ``lang`` attribute per form (BCP 47, Hong Kong region where it applies).
HTML_LANG = {"en": "en-HK", "zh-Hant": "zh-Hant-HK", "zh-Hans": "zh-Hans", "yue-Hant": "yue-Hant-HK"}
#: The ``[KIND]`` placeholders kaifong.governance.pii.redact puts where it removed personal data.
PLACEHOLDERS = tuple(f"[{kind}]" for kind in dict.fromkeys(r.kind for r in DEFAULT_RECOGNIZERS))
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


@dataclass(frozen=True)
class Exchange:
    """One question and its answer as the page shows them."""

    question: str  # redacted
    text: str
    status: str
    lang: str  # the answer's HTML lang
    ai_label: str
    citations: tuple[Citation, ...] = ()
    route: str = ""  # the human route in words, in the answer's language
    redacted: bool = False  # personal details were removed from the question


@dataclass(frozen=True)
class _Source:
    """A knowledge-base document's citation fields and hotline."""

    doc_id: str
    topic: str
    language: str
    title: str
    department: str
    url: str
    reviewed: str
    hotline: str


def from_answer(answer: Answer) -> Exchange:
    """The exchange of an answer just given."""
    return Exchange(
        question=answer.question,
        text=answer.text,
        status=answer.status,
        lang=HTML_LANG[answer.detection.form],
        ai_label=answer.ai_label,
        citations=answer.citations,
        route=answer.escalation.text if answer.escalation else "",
        redacted=bool(answer.redacted_kinds),
    )


def from_turns(turns: Iterable[Turn], engine: Engine, fallback_hotline: str) -> list[Exchange]:
    """Stored turns (oldest first) as exchanges, with their sources looked up in one query."""
    stored = list(turns)
    sources = _sources(engine, {topic for turn in stored for topic in turn.sources})
    return [_from_turn(turn, sources, fallback_hotline) for turn in stored]


def _sources(engine: Engine, topics: set[str]) -> dict[str, list[_Source]]:
    """Every document of each topic (a topic usually has one per language)."""
    if not topics:
        return {}
    wanted = ("id", "topic", "language", "title", "department", "url", "reviewed", "hotline")
    query = (
        select(*(documents.c[name] for name in wanted))
        .where(documents.c.topic.in_(sorted(topics)))
        .order_by(documents.c.id)
    )
    found: dict[str, list[_Source]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            source = _Source(
                doc_id=row.id,
                topic=row.topic,
                language=row.language,
                title=row.title,
                department=row.department,
                url=row.url,
                reviewed=row.reviewed,
                hotline=row.hotline,
            )
            found.setdefault(source.topic, []).append(source)
    return found


def _source_for(candidates: list[_Source], detection: Detection) -> _Source | None:
    """The document a question in ``detection``'s language was answered from: English for English,
    Chinese in the question's script first (retrieval searches one language group)."""
    if detection.language == "en":
        order = ["en"]
    else:
        order = ["zh-Hans", "zh-Hant"] if detection.script == "Hans" else ["zh-Hant", "zh-Hans"]
    ranked = sorted((s for s in candidates if s.language in order), key=lambda s: order.index(s.language))
    return ranked[0] if ranked else None


def _route(status: str, cited: list[_Source], detection: Detection, fallback_hotline: str) -> str:
    """The human route in words, by the rule kaifong.pipeline.runner gives an answer's escalation."""
    lang, script = detection.language, detection.script
    if status == "signposted_crisis":
        return localise("human.crisis_route", lang, script)
    source = next((s for s in cited if s.hotline), None)
    if source is None:
        name, phone = localise("human.default_name", lang, script), fallback_hotline
    else:
        name = to_hans(source.department) if script == "Hans" else source.department
        phone = source.hotline
    key = "human.route_only" if phone.replace(" ", "") == fallback_hotline.replace(" ", "") else "human.route"
    return localise(key, lang, script, phone=phone, name=name)


def _from_turn(turn: Turn, sources: dict[str, list[_Source]], fallback_hotline: str) -> Exchange:
    detection = detect(_PLACEHOLDER.sub(" ", turn.question))
    script = to_hans if detection.script == "Hans" else str
    cited = [
        found
        for topic in dict.fromkeys(turn.sources)
        if (found := _source_for(sources.get(topic, []), detection)) is not None
    ]
    citations = tuple(
        Citation(
            title=script(s.title),
            url=s.url,
            department=script(s.department),
            reviewed=s.reviewed,
            topic=s.topic,
            doc_id=s.doc_id,
        )
        for s in cited
    )
    return Exchange(
        question=turn.question,
        text=turn.answer,
        status=turn.status,
        lang=HTML_LANG[detection.form],
        ai_label=localise("label.ai", detection.language, detection.script),
        citations=citations,
        route=_route(turn.status, cited, detection, fallback_hotline),
        redacted=any(mark in turn.question for mark in PLACEHOLDERS),
    )
