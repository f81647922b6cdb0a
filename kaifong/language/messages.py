"""Every resident-facing string in the four language forms (en, zh-Hant, zh-Hans, yue-Hant)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from kaifong.types import FORMS, Form

MESSAGES_DIR = Path(__file__).parent / "data"


def message_files() -> list[Path]:
    """The catalogue's files: ``data/messages.yaml`` and one ``messages-<area>.yaml`` per feature."""
    return sorted(MESSAGES_DIR.glob("messages*.yaml"))


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All messages: key → form → text, loaded once from every file of ``message_files()``.

    A key defined in two files is a packaging mistake and raises ValueError naming both files.
    """
    merged: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in message_files():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, forms in raw.items():
            if str(key) in merged:
                raise ValueError(f"message {key!r} is defined in both {origin[str(key)]} and {path.name}")
            merged[str(key)] = {str(f): str(t) for f, t in forms.items()}
            origin[str(key)] = path.name
    return merged


def message(key: str, form: Form | str, **values: object) -> str:
    """The text of ``key`` in ``form`` (unknown forms fall back to English), with ``{name}`` filled in."""
    forms = catalogue()[key]
    template = forms.get(str(form)) or forms["en"]
    return template.format(**values) if values else template.replace("{{", "{").replace("}}", "}")


def parse_form(value: str | None) -> Form | None:
    """A form from a user choice such as ``zh-Hant`` or ``yue``; None when it is not one of ours."""
    if not value:
        return None
    aliases: dict[str, Form] = {"zh": "zh-Hant", "hant": "zh-Hant", "hans": "zh-Hans", "yue": "yue-Hant"}
    lowered = value.strip().lower()
    for form in FORMS:
        if form.lower() == lowered:
            return form
    return aliases.get(lowered)


def localise(key: str, language: str, script: str, **values: object) -> str:
    """A message in the register and script of a question: Cantonese framing for Cantonese, any script."""
    from kaifong.language.convert import to_hans

    if language == "en":
        return message(key, "en", **values)
    text = message(key, "yue-Hant" if language == "yue" else "zh-Hant", **values)
    return to_hans(text) if script == "Hans" else text
