"""The command line: ``kaifong serve | ask | ingest | audit verify``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kaifong import __version__
from kaifong.errors import BadQuestion, KaifongError, UnknownConversation
from kaifong.governance import subject_rights
from kaifong.governance.receipts import check_receipt
from kaifong.governance.retention import purge
from kaifong.knowledge.ingest import expand, ingest_paths
from kaifong.language import detect
from kaifong.language.messages import localise, message
from kaifong.oversight.commands import escalations, killswitch
from kaifong.pipeline import answer
from kaifong.pipeline.runner import bad_question_message
from kaifong.services import Services, build_services
from kaifong.settings import Settings
from kaifong.tools.finder.command import find
from kaifong.tools.translate.command import glossary_command, translate_command

err = Console(stderr=True)


def _services(settings: Settings) -> Services:
    try:
        return build_services(settings)
    except KaifongError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kaifong")
def main() -> None:
    """Kaifong (街坊): answers about Hong Kong public services from official sources."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
def serve(host: str, port: int) -> None:
    """Serve the web chat and the API (loads the bundled knowledge base on first start)."""
    import uvicorn

    from kaifong.web import create_app

    settings = Settings()
    services = _services(settings)
    err.print(f"Kaifong {__version__}: database {settings.database_url}; http://{host}:{port}/")
    try:
        uvicorn.run(create_app(services=services), host=host, port=port, log_level="warning")
    finally:
        services.close()


def _print_answer(result: dict[str, object], console: Console) -> None:
    console.print(str(result["answer"]), markup=False, highlight=False)
    citations = result["citations"]
    if isinstance(citations, list) and citations:
        console.print()
        for number, c in enumerate(citations, 1):
            console.print(
                f"[{number}] {c['title']} — {c['department']} ({c['reviewed']})\n    {c['url']}",
                markup=False,
                highlight=False,
            )
    escalation = result["escalation"]
    if isinstance(escalation, dict):
        console.print(f"\n☎ {escalation['text']}", markup=False, highlight=False)
    console.print(f"\n{result['ai_label']}", markup=False, highlight=False, style="italic")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--conversation", default=None, help="Continue a conversation (the id from an earlier --json answer)."
)
def ask(question: str, as_json: bool, conversation: str | None) -> None:
    """Answer QUESTION the way the web chat and the API do."""
    services = _services(Settings())
    try:
        result = asyncio.run(answer(question, services, conversation_id=conversation, remember=bool(as_json)))
    except BadQuestion as exc:
        limit = services.settings.max_question_chars
        err.print(bad_question_message(exc, question, limit), markup=False, highlight=False)
        sys.exit(2)
    except UnknownConversation:
        detection = detect(question)
        err.print(localise("error.unknown_conversation", detection.language, detection.script), markup=False)
        sys.exit(2)
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(result.as_dict(), Console(soft_wrap=True))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def ingest(paths: tuple[Path, ...]) -> None:
    """Add Markdown, HTML, PDF, DOCX or text files (or folders of them) to the knowledge base.

    Re-ingesting a changed file replaces its passages; an unchanged file is skipped. A file that
    cannot be read is reported by name and skipped; everything else is still added.
    """
    services = _services(Settings())
    files = list(expand(paths))
    try:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True
        ) as progress:
            task = progress.add_task("ingesting", total=len(files))
            report = ingest_paths(services.engine, files, on_file=lambda _p: progress.advance(task))
    finally:
        services.close()
    summary = (
        f"{len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed"
    )
    click.echo(summary)
    for name, problem in report.failed:
        err.print(f"skipped {name}: {problem}", markup=False, highlight=False)
    if report.failed:
        sys.exit(1)


@main.group()
def audit() -> None:
    """Work with the tamper-evident audit log."""


def _audit_services() -> Services:
    settings = Settings()
    return _services(settings.model_copy(update={"load_bundled_knowledge": False}))


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain and the signed checkpoints; names the first bad event."""
    services = _audit_services()
    try:
        result = services.audit.verify(services.signer.public_key)
    finally:
        services.close()
    if result.ok:
        click.echo(f"ok: {result.count} events, chain intact, checkpoints valid")
        return
    click.echo(f"FAILED at event {result.first_bad_seq}: {result.problem}")
    sys.exit(1)


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the log's current head and print the checkpoint (JSON, with the public key)."""
    services = _audit_services()
    try:
        checkpoint = services.audit.checkpoint(services.signer)
    finally:
        services.close()
    click.echo(json.dumps(checkpoint.as_dict(services.signer.public_key), indent=2))


@audit.command("receipt")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def audit_receipt(source: TextIO) -> None:
    """Verify an answer's receipt: SOURCE is a JSON answer from the API or `ask --json` (or `-`)."""
    try:
        data = json.load(source)
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"not JSON (line {exc.lineno}): give an answer saved from the API"
        ) from exc
    receipt = data.get("receipt", data) if isinstance(data, dict) else None
    if not isinstance(receipt, dict) or "signature" not in receipt:
        raise click.ClickException("no receipt found: give the JSON of an answer, which holds a 'receipt'")
    text = data.get("answer") if isinstance(data.get("answer"), str) else None
    services = _audit_services()
    try:
        problems = check_receipt(receipt, services.signer.public_key, services.engine, text)
    finally:
        services.close()
    if problems:
        for problem in problems:
            click.echo(f"FAILED: {problem}")
        sys.exit(1)
    click.echo(
        f"ok: receipt for log index {receipt['log_index']} is signed by this deployment and matches the log"
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings (kind, start, end, score) as JSON.")
def pii(as_json: bool) -> None:
    """Redact personal data from standard input (operators' check; values are never printed in --json)."""
    from kaifong.governance import pii as detectors

    text = sys.stdin.read()
    if as_json:
        findings = [
            {"kind": f.kind, "start": f.start, "end": f.end, "score": round(f.score, 3)}
            for f in detectors.find(text)
        ]
        click.echo(json.dumps(findings))
    else:
        click.echo(detectors.redact(text).text, nl=False)


@main.group()
def retention() -> None:
    """Apply the retention periods (settings `retention`, docs/privacy.md)."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what is due; change nothing.")
def retention_purge(dry_run: bool) -> None:
    """Crypto-shred conversations past their period, delete old closed escalations (audited)."""
    services = _audit_services()
    try:
        report = purge(services, dry_run=dry_run)
    finally:
        services.close()
    click.echo(
        f"{'due (dry run, nothing changed)' if dry_run else 'purged'}: {report.conversations} conversations "
        f"({report.turns} turns), {report.escalations} closed escalations, "
        f"{report.tokens_forgotten} token hashes of ended conversations"
    )


@main.group()
def subject() -> None:
    """A resident's rights over one conversation, with its key (the subject_token of its first answer)."""


_TOKEN = click.option(
    "--token", prompt="Conversation key", hide_input=True, help="The kfs_… key (asked for when left out)."
)


@subject.command("export")
@_TOKEN
def subject_export(token: str) -> None:
    """Print the conversation as JSON (an audited access)."""
    services = _audit_services()
    try:
        document = subject_rights.export(services, token, "cli")
    except subject_rights.SubjectTokenRejected as exc:
        raise click.ClickException(message(f"error.token_{exc.reason}", "en")) from exc
    finally:
        services.close()
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@subject.command("erase")
@_TOKEN
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def subject_erase(token: str, yes: bool) -> None:
    """Erase the conversation for good: its key is destroyed, its rows deleted (audited)."""
    services = _audit_services()
    try:
        conversation_id = subject_rights.conversation_for(services, token)
        turns = services.conversations.turn_count(conversation_id)
        if not yes:
            click.confirm(message("privacy.erase_confirm_text", "en", turns=turns), abort=True)
        erased = subject_rights.erase(services, token, "cli")
    except subject_rights.SubjectTokenRejected as exc:
        raise click.ClickException(message(f"error.token_{exc.reason}", "en")) from exc
    finally:
        services.close()
    click.echo(message("privacy.erased_text", "en", turns=erased.turns))


main.add_command(escalations)  # kaifong escalations list|show|claim|close (kaifong.oversight.commands)
main.add_command(killswitch)  # kaifong killswitch on|off|status
main.add_command(find)  # kaifong find "…" (kaifong.tools.finder.command)
main.add_command(translate_command)  # kaifong translate FILE --to FORM (kaifong.tools.translate.command)
main.add_command(glossary_command)  # kaifong glossary TERM


@main.group()
def forms() -> None:
    """Guided form filling: the forms Kaifong can help a resident to fill in."""


@forms.command("list")
@click.option("--lang", "language", default="en", show_default=True, help="en, zh-Hant, zh-Hans or yue-Hant.")
@click.option("--json", "as_json", is_flag=True, help="Print the forms as JSON.")
def forms_list(language: str, as_json: bool) -> None:
    """List the forms with their official numbers, departments and source pages."""
    from kaifong.language.messages import message, parse_form
    from kaifong.tools.forms.schema import FormDefinitionError, bundled_forms

    form = parse_form(language)
    if form is None:
        raise click.BadParameter("use en, zh-Hant, zh-Hans or yue-Hant", param_hint="--lang")
    try:
        definitions = bundled_forms()
    except FormDefinitionError as exc:
        raise click.ClickException(f"a form definition cannot be used: {exc}") from exc
    rows = [
        {
            "id": d.id,
            "form_number": d.form_number,
            "title": d.title(form),
            "department": d.department(form),
            "sources": [{"url": s.url, "page_date": s.page_date} for s in d.sources],
        }
        for d in definitions.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for d in definitions.values():
        number = d.form_number and message("forms.ui.form_number", form, number=d.form_number)
        click.echo(f"{d.id}\n    {d.title(form)} ({d.department(form)})")
        click.echo(f"    {number or message('forms.ui.no_form_number', form)}\n    {d.sources[0].url}")


if __name__ == "__main__":
    main()
