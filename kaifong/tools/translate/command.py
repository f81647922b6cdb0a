"""``kaifong translate FILE --to FORM`` and ``kaifong glossary TERM`` on the command line."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click
from rich.console import Console

from kaifong.backends.base import BackendError
from kaifong.errors import KaifongError
from kaifong.language.convert import to_hans
from kaifong.language.messages import message
from kaifong.services import build_services
from kaifong.settings import Settings
from kaifong.tools.translate.documents import DocumentError, read_upload
from kaifong.tools.translate.glossary import load_glossary
from kaifong.tools.translate.translator import TranslationUnavailable, source_form, translate
from kaifong.types import FORMS


@click.command("translate")
@click.argument("source", type=click.Path(path_type=Path, allow_dash=True))
@click.option("--to", "target", required=True, type=click.Choice(FORMS), help="The language form wanted.")
@click.option("--json", "as_json", is_flag=True, help="Print the translation and its details as JSON.")
def translate_command(source: Path, target: str, as_json: bool) -> None:
    """Translate a .md, .txt, .docx or .pdf file (or - for standard input) through the configured model."""
    try:
        text = sys.stdin.read() if str(source) == "-" else read_upload(source.name, source.read_bytes())
    except OSError as exc:
        raise click.ClickException(
            f"{source}: cannot be read ({exc.strerror or exc.__class__.__name__})"
        ) from exc
    except DocumentError as exc:
        raise click.ClickException(message(exc.reason, "en", **exc.detail)) from exc
    form = source_form(text) if text.strip() else "en"
    try:
        services = build_services(Settings())
    except KaifongError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        result = asyncio.run(translate(text, target, services))
    except DocumentError as exc:
        raise click.ClickException(message(exc.reason, form, **exc.detail)) from exc
    except TranslationUnavailable as exc:
        raise click.ClickException(message("translate.unavailable", form)) from exc
    except BackendError as exc:
        raise click.ClickException(message("translate.error.backend", form)) from exc
    finally:
        services.close()
    label = message("translate.label" if result.mode == "model" else "translate.label_script", result.target)
    if as_json:
        payload = {
            "text": result.text,
            "source": result.source,
            "target": result.target,
            "mode": result.mode,
            "label": label,
            "terms": list(result.terms),
            "redacted_kinds": list(result.redacted_kinds),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    Console(stderr=True).print(label, markup=False, highlight=False)
    click.echo(result.text)


@click.command("glossary")
@click.argument("query")
def glossary_command(query: str) -> None:
    """Look up official names (departments, schemes, forms, districts) in English and Chinese."""
    found = load_glossary().lookup(query)
    if not found:
        raise click.ClickException(message("translate.page.no_terms", "en", query=query))
    for term in found:
        click.echo(f"{term.en} | {term.zh_hant} | {to_hans(term.zh_hant)} | {term.source}")
