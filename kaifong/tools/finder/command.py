"""``kaifong find "…"``: the finder on the command line, as text or as the API's JSON."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from kaifong.errors import KaifongError
from kaifong.language import detect
from kaifong.language.messages import message
from kaifong.services import build_services
from kaifong.settings import Settings
from kaifong.tools.finder.catalogue import default_catalogue
from kaifong.tools.finder.finder import Finder, FinderInputError, FinderRequest
from kaifong.tools.finder.memory import FactMemory
from kaifong.tools.finder.present import reply_view
from kaifong.types import Form


def _print(view: dict[str, object], console: Console) -> None:
    form: Form = view["language"]  # type: ignore[assignment]

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    messages: dict[str, str] = view["messages"]  # type: ignore[assignment]
    if view["status"] == "signposted_crisis":
        say(messages["crisis"])
        return
    say(message("finder.ui.understood", form))
    understood: list[dict[str, object]] = view["understood"]  # type: ignore[assignment]
    for line in understood or [{"text": message("finder.ui.understood_none", form)}]:
        say(f"  • {line['text']}")
    problems: list[dict[str, object]] = view["problems"]  # type: ignore[assignment]
    if problems:
        say("\n" + message("finder.ui.problems", form))
        for problem in problems:
            say(f"  ! {problem['message']}")
    say("\n" + messages["summary"])
    results: list[dict[str, object]] = view["results"]  # type: ignore[assignment]
    sections = {
        "service": [r for r in results if r["kind"] == "service" and not r["for_a_group"]],
        "course": [r for r in results if r["kind"] == "course" and not r["for_a_group"]],
        "groups": [r for r in results if r["for_a_group"]],
    }
    for section, items in sections.items():
        if not items:
            continue
        say(f"\n== {message(f'finder.heading.{section}', form)} ==")
        for number, result in enumerate(items, 1):
            say(f"{number}. {result['name']} — {result['department']}")
            say(f"   [{result['status_text']}]")
            missing: list[dict[str, str]] = result["missing"]  # type: ignore[assignment]
            if missing:
                needed = "; ".join(item["text"] for item in missing)
                say(f"   {message('finder.result.needs', form)}: {needed}")
            rules: list[dict[str, object]] = result["rules"]  # type: ignore[assignment]
            for rule in rules:
                say(f"   - {rule['text']}: {rule['outcome_text']}")
            apply: dict[str, str] = result["apply"]  # type: ignore[assignment]
            say(f"   {message('finder.result.apply', form)}: {apply['url']}")
            if result["hotline"]:
                say(f"   ☎ {result['hotline']}")
    say("\n" + messages["decides"])


@click.command("find")
@click.argument("text")
@click.option(
    "--district", default=None, help="Only what is offered in this district (any name: 'Kwun Tong', '旺角')."
)
@click.option(
    "--language", default=None, help="Only services or courses in this language ('English', '普通話')."
)
@click.option(
    "--kind", type=click.Choice(["service", "course", "any"]), default=None, help="Services, courses or both."
)
@click.option("--json", "as_json", is_flag=True, help="Print the reply as the API's JSON.")
def find(text: str, district: str | None, language: str | None, kind: str | None, as_json: bool) -> None:
    """Services and courses that may fit what TEXT says about you (the department decides)."""
    settings = Settings()
    try:
        services = build_services(settings.model_copy(update={"load_bundled_knowledge": False}))
    except KaifongError as exc:
        raise click.ClickException(str(exc)) from exc
    crisis = next((guard for guard in services.guards if guard.name == "crisis"), None)
    finder = Finder(
        default_catalogue(),
        FactMemory(),
        services.audit,
        crisis=crisis,
        max_chars=settings.max_question_chars,
    )
    request = FinderRequest(text=text, district=district, language=language, kind=kind)
    try:
        reply = finder.answer(request)
    except FinderInputError as exc:
        form = detect(text).form if text.strip() else "en"
        Console(stderr=True).print(message(exc.reason, form, **exc.values), markup=False, highlight=False)
        sys.exit(2)
    finally:
        services.close()
    view = reply_view(reply)
    view["session_id"] = ""  # nothing is continued from the command line
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        _print(view, Console(soft_wrap=True))
