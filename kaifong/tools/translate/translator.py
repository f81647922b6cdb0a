"""Governed translation: PII and official names protected before the model, restored after, audited."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import yaml

from kaifong.backends.base import BackendError
from kaifong.errors import KaifongError
from kaifong.governance import pii
from kaifong.governance.audit import Event, text_hash
from kaifong.governance.sanitise import strip_invisible
from kaifong.governance.vault import PLACEHOLDER_RE, PiiVault
from kaifong.language import detect
from kaifong.language.convert import to_hans, to_hant
from kaifong.services import Services
from kaifong.tools.translate.documents import MAX_CHARS, DocumentError, join_blocks, split_blocks
from kaifong.tools.translate.glossary import Glossary, Term, load_glossary
from kaifong.types import FORMS, Form

PROMPT_FILE = Path(__file__).parent / "prompts" / "translate-v1.yaml"
BATCH_CHARS = 3000
_TOKEN = re.compile(r"\[\[\s*T\s*(\d+)\s*\]\]")
_FENCED_JSON = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@runtime_checkable
class TextGenerator(Protocol):
    """A generative backend that can follow an instruction (the translation seam).

    Contract: ``generate`` returns the model's reply to chat ``messages`` (``role``/``content``), receives
    redacted text only, and raises ``BackendError`` (never anything else) when it cannot answer.
    """

    name: str
    version: str

    async def generate(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The model's reply."""
        ...


class TranslationUnavailable(KaifongError):
    """Translation between these forms needs a generative backend and none is configured."""

    code = "translation_unavailable"


@dataclass(frozen=True)
class Translation:
    """A translated document and what was done to it (nothing here is stored)."""

    text: str
    source: Form
    target: Form
    mode: str  # "model" or "script" (a change of script only: OpenCC, no model)
    terms: tuple[str, ...] = ()
    redacted_kinds: tuple[str, ...] = ()
    backend: str = ""
    prompt_id: str = ""
    repaired: int = 0  # segments where the model lost an official name and it was put back
    redacted_hash: str = ""  # of the redacted source: what the audit log may carry


@cache
def _prompt() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(PROMPT_FILE.read_text(encoding="utf-8"))
    return loaded


def prompt_messages(segments: list[str], target: Form) -> list[dict[str, str]]:
    """The chat messages that ask for ``segments`` in ``target`` (system rules + the JSON payload)."""
    prompt = _prompt()
    spec = prompt["targets"][target]  # type: ignore[index]
    system = str(prompt["system"]).format(target_name=spec["name"], register_rule=spec["rule"])
    payload = json.dumps({"target": target, "segments": segments}, ensure_ascii=False)
    return [{"role": "system", "content": system}, {"role": "user", "content": payload}]


def source_form(text: str) -> Form:
    """The language form a document is written in."""
    return detect(text[:4000]).form


def script_only(source: Form, target: Form) -> bool:
    """True when only the script changes (standard Chinese Traditional ↔ Simplified): no model needed."""
    return {source, target} == {"zh-Hant", "zh-Hans"}


async def translate(
    text: str,
    target: str,
    services: Services,
    *,
    generator: TextGenerator | None = None,
    glossary: Glossary | None = None,
) -> Translation:
    """Translate ``text`` (Markdown or plain) into ``target``, keeping its structure and official names.

    Raises DocumentError (empty, too long, same language, unknown target) and TranslationUnavailable
    (a model is needed and the configured backend cannot generate). Personal data never reaches the
    model (vault placeholders), official names are protected by tokens and rendered from the glossary,
    and one audit event records ids, counts and hashes only.
    """
    if target not in FORMS:
        raise DocumentError("translate.error.target", target=target, forms=", ".join(FORMS))
    form: Form = next(f for f in FORMS if f == target)
    text = strip_invisible(text).replace("\r\n", "\n")
    if not text.strip():
        raise DocumentError("translate.error.empty")
    if len(text) > MAX_CHARS:
        raise DocumentError("translate.error.too_long", length=len(text), limit=MAX_CHARS)
    source = source_form(text)
    if source == form and not _other_language_lines(text, form):
        raise DocumentError("translate.error.same_language")
    if script_only(source, form):
        converted = to_hans(text) if form == "zh-Hans" else to_hant(text)
        result = Translation(
            converted, source, form, "script", redacted_hash=text_hash(pii.redact(text).text)
        )
    else:
        chosen = generator or services.backend
        if not isinstance(chosen, TextGenerator):
            raise TranslationUnavailable("translate.unavailable")
        result = await _with_model(text, source, form, chosen, glossary or load_glossary())
    _audit(services, text, result)
    return result


def _other_language_lines(text: str, target: Form) -> bool:
    """True when a mixed document has lines in the other language (English among Chinese, or the
    reverse) that still need translating although most of it is already in ``target``."""
    wanted_english = target == "en"
    for line in text.splitlines():
        letters = sum(ch.isalpha() for ch in line)
        if letters >= 12 and (detect(line).language == "en") != wanted_english:
            return True
    return False


async def _with_model(
    text: str, source: Form, target: Form, model: TextGenerator, glossary: Glossary
) -> Translation:
    vault = PiiVault()
    blocks = split_blocks(text)
    terms: list[Term] = []
    masked: list[tuple[str, ...]] = []
    kinds: list[str] = []
    for block in blocks:
        row: list[str] = []
        for piece in block.texts:
            protected, tokens = vault.protect(piece)
            kinds.extend(t.strip("[]").rsplit("_", 1)[0] for t in tokens)
            row.append(_mask_terms(protected, glossary, terms))
        masked.append(tuple(row))
    segments = [piece for row in masked for piece in row if piece.strip()]
    translated = await _translate_segments(segments, target, model)
    repaired = 0
    lookup = iter(translated)
    out: list[tuple[str, ...]] = []
    for masked_row in masked:
        new_row: list[str] = []
        for piece in masked_row:
            if not piece.strip():
                new_row.append(piece)
                continue
            rendered, fixed = _unmask(next(lookup), piece, terms, target)
            repaired += fixed
            new_row.append(vault.restore(rendered))
        out.append(tuple(new_row))
    vault.clear()
    return Translation(
        text=join_blocks(blocks, out) + ("\n" if text.endswith("\n") else ""),
        source=source,
        target=target,
        mode="model",
        terms=tuple(dict.fromkeys(t.id for t in terms)),
        redacted_kinds=tuple(dict.fromkeys(kinds)),
        backend=f"{model.name} {model.version}",
        prompt_id=str(_prompt()["id"]),
        repaired=repaired,
        redacted_hash=text_hash("\n".join(segments)),
    )


def _mask_terms(text: str, glossary: Glossary, terms: list[Term]) -> str:
    """``text`` with each official name replaced by ``[[Tn]]`` (n indexes ``terms``, shared per document)."""
    parts: list[str] = []
    position = 0
    for match in glossary.find(text):
        if PLACEHOLDER_RE.fullmatch(text[match.start : match.end]):
            continue
        parts.append(text[position : match.start])
        terms.append(match.term)
        parts.append(f"[[T{len(terms)}]]")
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def _unmask(translated: str, masked: str, terms: list[Term], target: Form) -> tuple[str, int]:
    """The model's text in the target's script with every ``[[Tn]]`` rendered officially; a name the
    model dropped is added after the segment in brackets (returns how many were added back)."""
    fixed = (
        to_hans(translated)
        if target == "zh-Hans"
        else (to_hant(translated) if target != "en" else translated)
    )
    wanted = [int(n) for n in _TOKEN.findall(masked)]
    seen = {int(n) for n in _TOKEN.findall(fixed)}
    rendered = _TOKEN.sub(lambda m: _official(terms, int(m.group(1)), target), fixed)
    lost = [n for n in dict.fromkeys(wanted) if n not in seen]
    if lost:
        rendered += " (" + "; ".join(_official(terms, n, target) for n in lost) + ")"
    return rendered, len(lost)


def _official(terms: list[Term], number: int, target: Form) -> str:
    return terms[number - 1].official(target) if 0 < number <= len(terms) else ""


async def _translate_segments(segments: list[str], target: Form, model: TextGenerator) -> list[str]:
    """Each segment translated: in batches as one JSON array, a batch the model garbles one by one."""
    out: list[str] = []
    for batch in _batches(segments):
        reply = await _generate(model, prompt_messages(batch, target))
        parsed = _json_list(reply)
        if parsed is not None and len(parsed) == len(batch):
            out.extend(parsed)
            continue
        for segment in batch:
            single = _json_list(await _generate(model, prompt_messages([segment], target)))
            out.append(single[0] if single and len(single) == 1 else segment)
    return out


async def _generate(model: TextGenerator, messages: list[dict[str, str]]) -> str:
    try:
        return await model.generate(messages)
    except BackendError:
        raise
    except Exception as exc:  # a plug-in that breaks the contract still fails cleanly
        raise BackendError(f"{model.name}: {exc.__class__.__name__}") from exc


def _batches(segments: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for segment in segments:
        if batches[-1] and size + len(segment) > BATCH_CHARS:
            batches.append([])
            size = 0
        batches[-1].append(segment)
        size += len(segment)
    return [b for b in batches if b]


def _json_list(reply: str) -> list[str] | None:
    """The reply as a list of strings, or None (fenced JSON accepted)."""
    match = _FENCED_JSON.match(reply)
    try:
        value = json.loads(match.group(1) if match else reply)
    except (json.JSONDecodeError, TypeError):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _audit(services: Services, text: str, result: Translation) -> None:
    event = Event(
        uuid.uuid4().hex,
        "translate",
        {
            "source": result.source,
            "target": result.target,
            "mode": result.mode,
            "chars": len(text),
            "redacted_hash": result.redacted_hash,
            "terms": list(result.terms),
            "redacted": list(result.redacted_kinds),
            "backend": result.backend,
            "prompt": result.prompt_id,
            "repaired": result.repaired,
        },
    )
    with services.engine.begin() as conn:
        services.audit.append([event], conn)
