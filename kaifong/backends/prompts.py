"""Grounded prompts, one versioned file per register (``prompts/grounded-<register>-v<N>.md``), and the
numbered passages they are filled with.

A prompt file has YAML front matter (``id``, ``version``, ``form``: the language form it answers in,
``purpose``) and two sections, ``## system`` and ``## user``; the user template holds ``{passages}`` and
``{question}``, replaced literally (braces in a question are kept as typed). The highest version of each
form is used; its ``prompt_id`` (``grounded-yue-v1``) goes into the Completion and the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kaifong.governance.guards.injection import PASSAGE_MARKER, PASSAGE_WITHHELD
from kaifong.language.convert import to_hans
from kaifong.types import FORMS, Detection, Form, ScoredPassage

PROMPTS_DIR = Path(__file__).parent / "prompts"
_FILE_NAME = re.compile(r"^grounded-[a-z-]+-v(\d+)\.md$")
_SECTION = re.compile(r"^## (system|user)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    """One versioned grounded prompt: the system text and the user template for one language form."""

    name: str
    version: int
    form: Form
    system: str
    user: str

    @property
    def prompt_id(self) -> str:
        """The id recorded in the audit log, e.g. ``grounded-yue-v1``."""
        return f"{self.name}-v{self.version}"

    def messages(self, question: str, passages: str) -> list[dict[str, str]]:
        """The chat messages for one request: system rules, then the passages and the question."""
        user = self.user.replace("{passages}", passages).replace("{question}", question)
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


def parse_prompt(text: str, source: str) -> Prompt:
    """A Prompt from a prompt file's text; ValueError naming ``source`` and what is missing or wrong."""
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise ValueError(f"{source}: a prompt file starts with YAML front matter between '---' lines")
    head, body = text[4:].split("\n---\n", 1)
    meta = yaml.safe_load(head) or {}
    missing = [key for key in ("id", "version", "form") if key not in meta]
    if missing:
        raise ValueError(f"{source}: front matter lacks {', '.join(missing)}")
    if meta["form"] not in FORMS:
        raise ValueError(f"{source}: form {meta['form']!r} is not one of {', '.join(FORMS)}")
    parts = _SECTION.split(body)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"} or not all(sections.values()):
        raise ValueError(f"{source}: needs a non-empty '## system' and '## user' section")
    for placeholder in ("{passages}", "{question}"):
        if placeholder not in sections["user"]:
            raise ValueError(f"{source}: the user section must contain {placeholder}")
    return Prompt(
        name=str(meta["id"]),
        version=int(meta["version"]),
        form=meta["form"],
        system=sections["system"],
        user=sections["user"],
    )


@cache
def load_prompts(folder: Path = PROMPTS_DIR) -> dict[Form, Prompt]:
    """The newest prompt of each form in ``folder``; ValueError when a form has none or a file is bad."""
    newest: dict[Form, Prompt] = {}
    for path in sorted(folder.glob("grounded-*.md")):
        match = _FILE_NAME.match(path.name)
        prompt = parse_prompt(path.read_text(encoding="utf-8"), path.name)
        if match is None or path.name != f"{prompt.prompt_id}.md":
            raise ValueError(f"{path.name}: name the file after its id and version, {prompt.prompt_id}.md")
        if prompt.form not in newest or prompt.version > newest[prompt.form].version:
            newest[prompt.form] = prompt
    absent = [form for form in FORMS if form not in newest]
    if absent:
        raise ValueError(f"{folder}: no grounded prompt for {', '.join(absent)}")
    return newest


def prompt_for(detection: Detection) -> Prompt:
    """The prompt for the question's register and script (``Detection.form``)."""
    return load_prompts()[detection.form]


def number_passages(
    passages: tuple[ScoredPassage, ...], detection: Detection, max_chars: int
) -> tuple[list[ScoredPassage], str]:
    """The passages put in the prompt, in their numbered order, and the numbered text ``[1] title — heading``.

    Withheld passages and lines neutralised at ingest are left out; each passage appears once; passages
    stop when ``max_chars`` would be passed (the first is cut to fit). Simplified questions get the
    passages in Simplified characters.
    """
    chosen: list[ScoredPassage] = []
    blocks: list[str] = []
    seen: set[str] = set()
    size = 0
    convert = to_hans if detection.is_chinese and detection.script == "Hans" else str
    for scored in passages:
        passage = scored.passage
        if passage.id in seen or passage.text == PASSAGE_WITHHELD:
            continue
        text = "\n".join(line for line in passage.text.splitlines() if PASSAGE_MARKER not in line).strip()
        if not text:
            continue
        title = f"{passage.title} — {passage.heading}" if passage.heading else passage.title
        block = convert(f"[{len(chosen) + 1}] {title}\n{text}")
        if size + len(block) > max_chars:
            if chosen:
                break
            block = block[: max(0, max_chars - 1)].rstrip() + "…"
        seen.add(passage.id)
        chosen.append(scored)
        blocks.append(block)
        size += len(block) + 2
    return chosen, "\n\n".join(blocks)
