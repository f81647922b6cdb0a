"""Form definitions as data: one YAML file per form, checked on load; errors name file, field and problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from kaifong.errors import KaifongError
from kaifong.types import FORMS, Form

__all__ = [
    "DATA_DIR",
    "FIELD_TYPES",
    "Choice",
    "Condition",
    "FieldSpec",
    "FormDefinition",
    "FormDefinitionError",
    "LocalText",
    "Rules",
    "Section",
    "Source",
    "bundled_forms",
    "load_form",
    "load_forms",
]

DATA_DIR = Path(__file__).parent / "data"
FieldType = Literal[
    "text", "hkid", "phone", "date", "address", "amount", "integer", "yes_no", "choice", "email"
]
FIELD_TYPES: tuple[FieldType, ...] = (
    "text",
    "hkid",
    "phone",
    "date",
    "address",
    "amount",
    "integer",
    "yes_no",
    "choice",
    "email",
)
#: Which ``validation`` keys each field type understands.
RULES_BY_TYPE: dict[str, frozenset[str]] = {
    "text": frozenset({"max_length", "script"}),
    "address": frozenset({"max_length"}),
    "email": frozenset(),
    "hkid": frozenset(),
    "phone": frozenset({"mobile"}),
    "date": frozenset({"past", "future", "earliest"}),
    "amount": frozenset({"minimum", "maximum"}),
    "integer": frozenset({"minimum", "maximum"}),
    "yes_no": frozenset({"must_be_yes"}),
    "choice": frozenset(),
}
_ID = re.compile(r"[a-z][a-z0-9_]*")
_FORM_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _folded(text: str) -> str:
    """NFKC (full-width brackets and digits to ASCII), case folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class FormDefinitionError(KaifongError):
    """A form file that cannot be used; the message names the file, the place in it and the problem."""

    code = "form_definition_error"

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}")
        self.file, self.where, self.problem = file, where, problem


@dataclass(frozen=True)
class LocalText:
    """One text in the four language forms."""

    texts: Mapping[str, str]

    def __call__(self, form: Form | str) -> str:
        """The text in ``form`` (English when the form is not one of ours)."""
        return self.texts.get(str(form)) or self.texts["en"]

    def matches(self, answer: str) -> bool:
        """Whether ``answer`` is this text in any form (width, case and spacing ignored)."""
        wanted = _folded(answer)
        return any(wanted == _folded(text) for text in self.texts.values())


@dataclass(frozen=True)
class Choice:
    """One option of a ``choice`` field: the value stored, and its label."""

    value: str
    label: LocalText


@dataclass(frozen=True)
class Rules:
    """The ``validation`` of a field (only the keys its type understands are set)."""

    max_length: int | None = None
    script: Literal["any", "latin", "han"] = "any"
    past: bool = False
    future: bool = False
    earliest: date | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    mobile: bool = False
    must_be_yes: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """One question of a form."""

    id: str
    type: FieldType
    required: bool
    label: LocalText
    help: LocalText
    choices: tuple[Choice, ...] = ()
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True)
class Condition:
    """A section applies only when an earlier choice or yes/no field holds one of ``values``."""

    field: str
    values: frozenset[str]


@dataclass(frozen=True)
class Section:
    """A group of questions, asked only when its condition (if any) holds."""

    id: str
    title: LocalText
    fields: tuple[FieldSpec, ...]
    when: Condition | None = None


@dataclass(frozen=True)
class Source:
    """An official page the definition was taken from, with the date the page shows (or ``undated``)."""

    url: str
    page_date: str
    checked: str
    about: str


@dataclass(frozen=True)
class FormDefinition:
    """A form: what it is, where it comes from, where to submit it, and its questions in order."""

    id: str
    form_number: str | None
    form_number_note: LocalText | None
    title: LocalText
    department: LocalText
    submit: LocalText
    sources: tuple[Source, ...]
    sections: tuple[Section, ...]

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        """Every question, in the order asked."""
        return tuple(spec for section in self.sections for spec in section.fields)

    def field(self, field_id: str) -> FieldSpec | None:
        """The question with this id, if the form has one."""
        return next((spec for spec in self.fields if spec.id == field_id), None)

    def section_of(self, field_id: str) -> Section:
        """The section a question belongs to."""
        return next(section for section in self.sections if any(f.id == field_id for f in section.fields))


class _Reader:
    """Reads one YAML file into a FormDefinition, raising FormDefinitionError at the first problem."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        self.path = path

    def fail(self, where: str, problem: str) -> FormDefinitionError:
        return FormDefinitionError(self.file, where, problem)

    def mapping(
        self, value: object, where: str, allowed: Iterable[str], required: Iterable[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, found {type(value).__name__}")
        unknown = sorted(set(map(str, value)) - set(allowed))
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")
        missing = [key for key in required if key not in value]
        if missing:
            raise self.fail(where, f"missing {missing[0]!r}")
        return {str(key): item for key, item in value.items()}

    def text(self, value: object, where: str) -> LocalText:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected the text in {', '.join(FORMS)}")
        missing = [form for form in FORMS if form not in value]
        if missing:
            raise self.fail(where, f"lacks {missing[0]}")
        extra = sorted(set(map(str, value)) - set(FORMS))
        if extra:
            raise self.fail(where, f"unknown language form {extra[0]!r} (use {', '.join(FORMS)})")
        for form in FORMS:
            if not isinstance(value[form], str) or not value[form].strip():
                raise self.fail(where, f"{form} text is empty")
        return LocalText({form: value[form].strip() for form in FORMS})

    def read(self) -> FormDefinition:
        try:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise self.fail("file", f"cannot be read as UTF-8 YAML ({exc.__class__.__name__})") from exc
        top = self.mapping(
            raw,
            "form",
            {"id", "form_number", "form_number_note", "title", "department", "submit", "sources", "sections"},
            ("id", "form_number", "title", "department", "submit", "sources", "sections"),
        )
        form_id = top["id"]
        if not isinstance(form_id, str) or not _FORM_ID.fullmatch(form_id) or form_id != self.path.stem:
            raise self.fail(
                "id", f"must be lower-case words joined by '-' and equal the file name {self.path.stem!r}"
            )
        number = top["form_number"]
        if number is not None and (not isinstance(number, str) or not number.strip()):
            raise self.fail("form_number", "must be the official number as text, or null when none is given")
        if number is None and "form_number_note" not in top:
            raise self.fail("form_number_note", "a form without a number must say why (form_number_note)")
        note = self.text(top["form_number_note"], "form_number_note") if "form_number_note" in top else None
        sections = self.sections(top["sections"])
        return FormDefinition(
            id=form_id,
            form_number=number.strip() if number else None,
            form_number_note=note,
            title=self.text(top["title"], "title"),
            department=self.text(top["department"], "department"),
            submit=self.text(top["submit"], "submit"),
            sources=self.sources(top["sources"]),
            sections=sections,
        )

    def sources(self, value: object) -> tuple[Source, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("sources", "list at least one official page")
        sources = []
        for index, item in enumerate(value):
            where = f"sources[{index}]"
            entry = self.mapping(
                item,
                where,
                {"url", "page_date", "checked", "about"},
                ("url", "page_date", "checked", "about"),
            )
            url = str(entry["url"])
            if not url.startswith(("https://", "http://")):
                raise self.fail(where, f"url {url!r} is not a web address")
            page_date = str(entry["page_date"])
            if page_date != "undated":
                self.iso_date(page_date, f"{where}.page_date", "the date the page shows, or 'undated'")
            self.iso_date(str(entry["checked"]), f"{where}.checked", "the date the page was read")
            sources.append(Source(url, page_date, str(entry["checked"]), str(entry["about"])))
        return tuple(sources)

    def iso_date(self, value: str, where: str, meaning: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self.fail(where, f"{value!r} is not an ISO date (YYYY-MM-DD): {meaning}") from exc

    def sections(self, value: object) -> tuple[Section, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("sections", "list at least one section")
        sections: list[Section] = []
        seen: dict[str, FieldSpec] = {}
        section_ids: set[str] = set()
        for index, item in enumerate(value):
            where = f"sections[{index}]"
            entry = self.mapping(item, where, {"id", "title", "when", "fields"}, ("id", "title", "fields"))
            section_id = str(entry["id"])
            if not _ID.fullmatch(section_id) or section_id in section_ids:
                raise self.fail(where, f"section id {section_id!r} must be unique, lower case, with '_'")
            section_ids.add(section_id)
            where = f"section {section_id!r}"
            when = self.condition(entry["when"], where, seen) if "when" in entry else None
            raw_fields = entry["fields"]
            if not isinstance(raw_fields, list) or not raw_fields:
                raise self.fail(where, "list at least one field")
            fields = []
            for raw_field in raw_fields:
                spec = self.field(raw_field, where)
                if spec.id in seen:
                    raise self.fail(f"field {spec.id!r}", "the id is used twice")
                seen[spec.id] = spec
                fields.append(spec)
            sections.append(
                Section(section_id, self.text(entry["title"], f"{where} title"), tuple(fields), when)
            )
        return tuple(sections)

    def condition(self, value: object, where: str, earlier: Mapping[str, FieldSpec]) -> Condition:
        entry = self.mapping(value, f"{where} when", {"field", "equals", "in"}, ("field",))
        target = str(entry["field"])
        spec = earlier.get(target)
        if spec is None:
            raise self.fail(f"{where} when", f"field {target!r} is not a question of an earlier section")
        if spec.type not in ("choice", "yes_no"):
            raise self.fail(
                f"{where} when", f"field {target!r} is {spec.type}; conditions need choice or yes_no"
            )
        if ("equals" in entry) == ("in" in entry):
            raise self.fail(f"{where} when", "give exactly one of 'equals' (a value) or 'in' (a list)")
        raw_values = [entry["equals"]] if "equals" in entry else entry["in"]
        if not isinstance(raw_values, list) or not raw_values:
            raise self.fail(f"{where} when", "'in' must be a non-empty list")
        values = frozenset(str(v).lower() if isinstance(v, bool) else str(v) for v in raw_values)
        values = frozenset("yes" if v == "true" else "no" if v == "false" else v for v in values)
        allowed = {c.value for c in spec.choices} if spec.type == "choice" else {"yes", "no"}
        wrong = sorted(values - allowed)
        if wrong:
            raise self.fail(
                f"{where} when", f"{wrong[0]!r} is not a value of {target!r} ({', '.join(sorted(allowed))})"
            )
        return Condition(target, values)

    def field(self, value: object, section: str) -> FieldSpec:
        entry = self.mapping(
            value,
            f"{section} field",
            {"id", "type", "required", "label", "help", "choices", "validation"},
            ("id", "type", "label", "help"),
        )
        field_id = str(entry["id"])
        if not _ID.fullmatch(field_id):
            raise self.fail(f"field {field_id!r}", "the id must be lower case letters, digits and '_'")
        where = f"field {field_id!r}"
        kind = entry["type"]
        if kind not in FIELD_TYPES:
            raise self.fail(where, f"unknown type {kind!r} (use {', '.join(FIELD_TYPES)})")
        required = entry.get("required", True)
        if not isinstance(required, bool):
            raise self.fail(where, "required must be true or false")
        choices = self.choices(entry.get("choices"), where, kind)
        rules = self.rules(entry.get("validation", {}), where, kind)
        return FieldSpec(
            id=field_id,
            type=kind,
            required=required,
            label=self.text(entry["label"], f"{where} label"),
            help=self.text(entry["help"], f"{where} help"),
            choices=choices,
            rules=rules,
        )

    def choices(self, value: object, where: str, kind: str) -> tuple[Choice, ...]:
        if kind != "choice":
            if value is not None:
                raise self.fail(where, f"choices are only for choice fields, not {kind}")
            return ()
        if not isinstance(value, list) or len(value) < 2:
            raise self.fail(where, "a choice field needs at least two choices")
        choices: list[Choice] = []
        for item in value:
            entry = self.mapping(item, f"{where} choice", {"value", "label"}, ("value", "label"))
            choice_value = str(entry["value"])
            if not _ID.fullmatch(choice_value) or any(c.value == choice_value for c in choices):
                raise self.fail(where, f"choice value {choice_value!r} must be unique, lower case, with '_'")
            choices.append(
                Choice(choice_value, self.text(entry["label"], f"{where} choice {choice_value!r}"))
            )
        return tuple(choices)

    def rules(self, value: object, where: str, kind: str) -> Rules:
        entry = self.mapping(value, f"{where} validation", RULES_BY_TYPE[kind], ())
        values: dict[str, Any] = {}
        for key, item in entry.items():
            place = f"{where} validation.{key}"
            if key in {"past", "future", "mobile", "must_be_yes"}:
                if not isinstance(item, bool):
                    raise self.fail(place, "must be true or false")
                values[key] = item
            elif key == "max_length":
                if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= 1000:
                    raise self.fail(place, "must be a whole number from 1 to 1000")
                values[key] = item
            elif key == "script":
                if item not in ("any", "latin", "han"):
                    raise self.fail(place, "must be any, latin or han")
                values[key] = item
            elif key == "earliest":
                values[key] = self.iso_date(str(item), place, "the earliest date accepted")
            else:
                try:
                    values[key] = Decimal(str(item))
                except InvalidOperation as exc:
                    raise self.fail(place, f"{item!r} is not a number") from exc
        if values.get("past") and values.get("future"):
            raise self.fail(f"{where} validation", "a date cannot be both past and future")
        return Rules(**values)


def load_form(path: Path) -> FormDefinition:
    """Read and check one form file; FormDefinitionError says which file, where and what is wrong."""
    return _Reader(path).read()


def load_forms(folder: Path) -> dict[str, FormDefinition]:
    """Every ``*.yaml`` form in ``folder``, by id, in file-name order."""
    return {definition.id: definition for definition in map(load_form, sorted(folder.glob("*.yaml")))}


@cache
def bundled_forms() -> dict[str, FormDefinition]:
    """The forms shipped with Kaifong (``kaifong/tools/forms/data``), loaded once."""
    return load_forms(DATA_DIR)
