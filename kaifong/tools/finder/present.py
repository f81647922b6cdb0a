"""The finder's reply in words, in the resident's language form: understood facts, problems, results.

Every resident-facing string comes from ``messages-finder.yaml``; catalogue text comes in English or
Traditional Chinese, with Simplified derived. The shape returned by :func:`reply_view` is the JSON of
``POST /api/v1/finder`` and ``kaifong find --json``, and what the page template renders.
"""

from __future__ import annotations

from kaifong.governance.guards.crisis import crisis_reply
from kaifong.language.messages import message
from kaifong.tools.finder.bilingual import Bilingual
from kaifong.tools.finder.catalogue import Entry
from kaifong.tools.finder.facts import Facts, Problem
from kaifong.tools.finder.finder import FinderReply
from kaifong.tools.finder.matching import Filters, Match
from kaifong.tools.finder.names import districts, languages
from kaifong.types import Form

_SEPARATOR = {"en": ", ", "zh-Hant": "、", "zh-Hans": "、", "yue-Hant": "、"}


def _join(items: list[str], form: Form) -> str:
    return _SEPARATOR[form].join(items)


def _money(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def value_text(fact: str, value: object, form: Form) -> str:
    """A fact's value in words (a district's name, "unemployed", "HK$12,000" …)."""
    if fact == "district":
        return districts().get(str(value)).display(form)
    if fact in {"employment", "education"}:
        return message(f"finder.value.{fact}.{value}", form)
    if fact in {"monthly_income", "assets"}:
        return _money(value)
    if fact == "language":
        return languages().get(str(value)).display(form)
    if fact == "benefits" and isinstance(value, list | tuple | set | frozenset):
        return _join([message(f"finder.value.benefit.{b}", form) for b in sorted(value)], form)
    return str(value)


def fact_lines(facts: Facts, form: Form) -> list[dict[str, object]]:
    """Each known fact as ``{fact, value, text}``, in display order."""
    lines: list[dict[str, object]] = []
    for name, value in facts.known().items():
        if name == "benefits" and isinstance(value, dict):
            for stance, key in ((True, "receives"), (False, "not_receiving")):
                chosen = sorted(b for b, v in value.items() if v is stance)
                if chosen:
                    text = message(
                        f"finder.fact.benefits.{key}", form, value=value_text("benefits", chosen, form)
                    )
                    lines.append({"fact": "benefits", "value": {b: stance for b in chosen}, "text": text})
            continue
        if isinstance(value, bool):
            text = message(f"finder.fact.{name}.{'yes' if value else 'no'}", form)
        else:
            text = message(f"finder.fact.{name}", form, value=value_text(name, value, form))
        lines.append({"fact": name, "value": value, "text": text})
    return lines


def fact_label(fact: str, form: Form) -> str:
    """A short name for a fact ("your age"), used in "we would need to know …"."""
    return message(f"finder.label.{fact}", form)


def problem_text(problem: Problem, form: Form) -> str:
    """A problem in the resident's language, saying what is wrong and what to do."""
    values = list(problem.values)
    if problem.code == "contradiction":
        shown = [value_text(problem.fact, v, form) if problem.fact == "district" else v for v in values]
        return message(
            "finder.problem.contradiction",
            form,
            fact=fact_label(problem.fact, form),
            values=_join(shown, form),
        )
    if problem.code == "district_ambiguous":
        names = [districts().get(v).display(form) for v in values]
        return message("finder.problem.district_ambiguous", form, values=_join(names, form))
    if problem.code == "unknown_district":
        names = [d.display(form) for d in districts().names]
        return message("finder.problem.unknown_district", form, value=values[0], districts=_join(names, form))
    if problem.code == "unknown_language":
        names = [language.display(form) for language in languages().names]
        return message("finder.problem.unknown_language", form, value=values[0], languages=_join(names, form))
    if problem.code == "residence_over_age":
        return message("finder.problem.residence_over_age", form, years=values[0], age=values[1])
    if problem.code in {"impossible_age", "impossible_value", "invalid_value"}:
        return message(
            f"finder.problem.{problem.code}",
            form,
            fact=fact_label(problem.fact, form),
            value=_join(values, form),
        )
    return message(f"finder.problem.{problem.code}", form)


def _text(value: Bilingual | None, form: Form) -> str | None:
    return value.in_form(form) if value is not None else None


def _status(match: Match) -> str:
    if match.entry.open_to_all:
        return "open"
    return "fits" if match.complete else "may_fit"


def _districts_view(entry: Entry, form: Form) -> str | list[str]:
    if entry.districts is None:
        return message("finder.result.all_districts", form)
    return [districts().get(d).display(form) for d in sorted(entry.districts)]


def match_view(match: Match, form: Form) -> dict[str, object]:
    """One result: what it is, why it may fit (rule by rule), what is missing, how to apply."""
    entry = match.entry
    rules = []
    for result in match.results:
        if result.applies is False:
            outcome_text = message("finder.result.rule_na", form)
        elif result.unlisted:
            outcome_text = message("finder.result.rule_unlisted", form)
        else:
            outcome_text = message(f"finder.result.rule_{result.outcome}", form)
        rules.append(
            {
                "id": result.rule.id,
                "text": result.rule.text.in_form(form),
                "outcome": result.outcome,
                "applies": result.applies,
                "outcome_text": outcome_text,
                "as_of": result.rule.as_of or None,
                "source": result.rule.source or None,
            }
        )
    status = _status(match)
    return {
        "id": entry.id,
        "kind": entry.kind,
        "name": entry.name.in_form(form),
        "department": entry.department.in_form(form),
        "summary": entry.summary.in_form(form),
        "status": status,
        "status_text": message(f"finder.result.{status}", form),
        "for_a_group": match.for_a_group,
        "rules": rules,
        "missing": [{"fact": fact, "text": fact_label(fact, form)} for fact in match.missing],
        "apply": {"url": entry.apply_url, "how": entry.apply_how.in_form(form)},
        "hotline": entry.hotline or None,
        "amounts": [
            {"text": a.text.in_form(form), "as_of": a.as_of, "source": a.source} for a in entry.amounts
        ],
        "sources": [{"url": s.url, "date": s.date} for s in entry.sources],
        "checked": entry.checked,
        "districts": _districts_view(entry, form),
        "where": _text(entry.where, form),
        "languages": [languages().get(code).display(form) for code in entry.languages],
        "languages_note": _text(entry.languages_note, form),
        "schedule": _text(entry.schedule, form),
        "also_checked": [text.in_form(form) for text in entry.also_checked],
    }


def filters_view(filters: Filters, form: Form) -> dict[str, object]:
    """The filters applied, with names in ``form``."""
    district = language = None
    if filters.district is not None:
        district = {"id": filters.district, "name": districts().get(filters.district).display(form)}
    if filters.language is not None:
        language = {"id": filters.language, "name": languages().get(filters.language).display(form)}
    return {"district": district, "language": language, "kind": filters.kind}


def reply_view(reply: FinderReply) -> dict[str, object]:
    """The whole reply as JSON-ready data in the reply's language form."""
    form = reply.form
    if reply.status == "signposted_crisis":
        return {
            "status": reply.status,
            "language": form,
            "session_id": reply.session_id,
            "catalogue_version": reply.catalogue_version,
            "request_id": reply.request_id,
            "understood": [],
            "updated": [],
            "problems": [],
            "filters": filters_view(reply.filters, form),
            "results": [],
            "counts": {"fits": 0, "may_fit": 0, "open": 0},
            "messages": {"crisis": crisis_reply(form), "decides": message("finder.decides", form)},
        }
    results = [match_view(match, form) for match in reply.matches]
    counts = {status: sum(r["status"] == status for r in results) for status in ("fits", "may_fit", "open")}
    updated = [
        {
            "fact": fact,
            "text": message(
                "finder.updated",
                form,
                fact=fact_label(fact, form),
                before=value_text(fact, before, form),
                after=value_text(fact, after, form),
            ),
        }
        for fact, before, after in reply.updated
    ]
    problems = [
        {"code": p.code, "fact": p.fact or None, "message": problem_text(p, form)} for p in reply.problems
    ]
    if reply.session_expired:
        problems.insert(
            0,
            {
                "code": "session_expired",
                "fact": None,
                "message": message("finder.problem.session_expired", form),
            },
        )
    summary_key = "finder.summary" if results else "finder.none"
    return {
        "status": reply.status,
        "language": form,
        "session_id": reply.session_id,
        "catalogue_version": reply.catalogue_version,
        "request_id": reply.request_id,
        "understood": fact_lines(reply.facts, form),
        "updated": updated,
        "problems": problems,
        "filters": filters_view(reply.filters, form),
        "results": results,
        "counts": counts,
        "messages": {
            "summary": message(summary_key, form, count=len(results)),
            "decides": message("finder.decides", form),
            "memory": message("finder.memory_note", form),
        },
    }
