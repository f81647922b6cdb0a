"""Quality gate for the knowledge base shipped in kaifong/knowledge/data."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import hanzidentifier
import pytest

from kaifong.knowledge.documents import REQUIRED_KEYS, split_front_matter
from kaifong.knowledge.ingest import BUNDLED_DIR, bundled_documents

LANGUAGE_FILES = ("en.md", "zh-Hant.md")
TOPICS = sorted(p.name for p in BUNDLED_DIR.iterdir() if p.is_dir())
FILES = sorted(BUNDLED_DIR.glob("*/*.md"))

#: Official hosts outside the .hk domain (the Employees Retraining Board publishes at erb.org).
HOST_ALLOWLIST = frozenset({"erb.org", "www.erb.org"})

SPEC_TOPICS = [
    "hkid-new-application",
    "hkid-replacement",
    "hkid-children",
    "hkid-registration-of-persons",
    "oala",
    "oaa",
    "elderly-health-care-voucher",
    "cssa",
    "working-family-allowance",
    "public-rental-housing",
    "erb-courses",
    "continuing-education-fund",
    "mpf-basics",
    "minimum-wage",
    "rest-days",
    "statutory-holidays",
    "salaries-tax-filing",
    "fare-concession-2",
    "driving-licence-renewal",
    "passport-application",
    "passport-renewal",
    "birth-registration",
    "marriage-registration",
    "1823",
    "elderly-community-care-services",
    "gopc-booking",
    "specialist-outpatient",
    "community-care-fund",
    "student-financial-assistance",
    "legal-aid",
]


@cache
def parsed(path: Path) -> tuple[dict[str, object], str]:
    return split_front_matter(path.read_text(encoding="utf-8"), str(path))


def rel(path: Path) -> str:
    return str(path.relative_to(BUNDLED_DIR))


def as_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def is_iso_date(value: object) -> bool:
    if isinstance(value, dt.datetime):
        return False
    if isinstance(value, dt.date):
        return True
    text = as_text(value)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def offenders_message(what: str, offenders: list[str]) -> str:
    return f"{len(offenders)} bundled file(s) {what}:\n  " + "\n  ".join(offenders)


def test_at_least_60_topics() -> None:
    assert len(TOPICS) >= 60, TOPICS


def test_spec_topics_are_present() -> None:
    missing = [topic for topic in SPEC_TOPICS if topic not in TOPICS]
    assert not missing, f"topics required by the product spec are missing: {missing}"


def test_every_topic_has_both_languages_and_nothing_else() -> None:
    problems = []
    for topic in TOPICS:
        names = sorted(p.name for p in (BUNDLED_DIR / topic).iterdir())
        if names != sorted(LANGUAGE_FILES):
            problems.append(f"{topic}: {names}")
    assert not problems, offenders_message("do not hold exactly en.md and zh-Hant.md", problems)


def test_both_languages_share_the_folder_id() -> None:
    problems = []
    for topic in TOPICS:
        for name in LANGUAGE_FILES:
            path = BUNDLED_DIR / topic / name
            if path.exists() and as_text(parsed(path)[0].get("id")) != topic:
                problems.append(f"{topic}/{name}: id {parsed(path)[0].get('id')!r}")
    assert not problems, offenders_message("have an id that differs from their folder", problems)


def test_language_key_matches_file_name() -> None:
    wrong = [rel(p) for p in FILES if as_text(parsed(p)[0].get("language")) != p.stem]
    assert not wrong, offenders_message("declare a language other than their file name", wrong)


def test_required_keys_present_and_non_empty() -> None:
    problems = []
    for path in FILES:
        meta = parsed(path)[0]
        for key in REQUIRED_KEYS:
            value = meta.get(key)
            empty = not value if isinstance(value, list) else not as_text(value)
            if empty:
                problems.append(f"{rel(path)}: {key}")
    assert not problems, offenders_message("lack a required key", problems)


def test_hotline_is_a_phone_number() -> None:
    bad = [
        f"{rel(p)}: {parsed(p)[0].get('hotline')!r}"
        for p in FILES
        if not re.search(r"\d{3}", as_text(parsed(p)[0].get("hotline")))
    ]
    assert not bad, offenders_message("have no usable hotline", bad)


def test_reviewed_is_an_iso_date() -> None:
    bad = [
        f"{rel(p)}: {parsed(p)[0].get('reviewed')!r}"
        for p in FILES
        if not is_iso_date(parsed(p)[0].get("reviewed"))
    ]
    assert not bad, offenders_message("have a 'reviewed' that is not an ISO date", bad)


def test_source_date_is_an_iso_date_or_undated() -> None:
    bad = [
        f"{rel(p)}: {parsed(p)[0].get('source_date')!r}"
        for p in FILES
        if not (is_iso_date(parsed(p)[0].get("source_date")) or parsed(p)[0].get("source_date") == "undated")
    ]
    assert not bad, offenders_message("have a 'source_date' that is neither an ISO date nor 'undated'", bad)


def official_host(host: str) -> bool:
    return host.endswith((".gov.hk", ".org.hk", ".hk")) or host in HOST_ALLOWLIST


def test_urls_are_official_https_pages() -> None:
    bad = []
    for path in FILES:
        url = as_text(parsed(path)[0].get("url"))
        parts = urlparse(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or not official_host(parts.hostname):
            bad.append(f"{rel(path)}: {url}")
    assert not bad, offenders_message("cite a URL that is not on an official-looking host", bad)


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("www.swd.gov.hk", True),
        ("www.ha.org.hk", True),
        ("www.communitycarefund.hk", True),
        ("www.erb.org", True),
        ("example.com", False),
        ("gov.hk.evil.com", False),
        ("erb.org.evil.com", False),
    ],
)
def test_official_host_rule(host: str, ok: bool) -> None:
    assert official_host(host) is ok


def test_zh_hant_bodies_are_traditional() -> None:
    bad = []
    for path in BUNDLED_DIR.glob("*/zh-Hant.md"):
        verdict = hanzidentifier.identify(parsed(path)[1])
        if verdict in (hanzidentifier.SIMPLIFIED, hanzidentifier.MIXED):
            simplified = sorted(
                {
                    c
                    for c in parsed(path)[1]
                    if hanzidentifier.is_simplified(c) and not hanzidentifier.is_traditional(c)
                }
            )
            bad.append(f"{rel(path)}: simplified characters {''.join(simplified)}")
    assert not bad, offenders_message("are not in Traditional script", bad)


def test_en_bodies_are_english() -> None:
    bad = []
    for path in BUNDLED_DIR.glob("*/en.md"):
        body = parsed(path)[1]
        han = len(re.findall(r"[\u4e00-\u9fff]", body))
        if han > len(body) * 0.05:
            bad.append(f"{rel(path)}: {han} Han characters")
    assert not bad, offenders_message("have an English file written mostly in Chinese", bad)


def test_every_bundled_file_loads_strictly() -> None:
    docs = bundled_documents()
    assert len(docs) == len(FILES)
    assert len({doc.id for doc in docs}) == len(docs)


# Every amount carries its date


MONEY = re.compile(r"(?:HK\$|\$)\s?\d|\d[\d,.]*\s*(?:港元|元)|港幣\s*\d")
#: Names of schemes that look like amounts but are not one ("$2 Scheme", 「$2乘車優惠計劃」).
SCHEME_NAME = re.compile(r"\$2(?:\s*Scheme|乘車優惠)")
YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
#: Wording that ties a figure to the source page's date (for undated sources: saying so).
SOURCE_DATE = re.compile(r"undated|source[ _]date|未註明?日期|來源日期", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s+(.*)")
_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)")


def amount_units(body: str) -> list[tuple[str, str]]:
    """``(context, text)`` for each paragraph and list item of a body.

    The context of a list item is its section heading, its parent items, and the lead-in paragraph
    ending in a colon that introduces its list ("Fees from 8 September 2025:"); a paragraph's context
    is its heading.
    """
    units: list[list[str]] = []
    heading = ""
    paragraph: list[str] = []
    parents: list[tuple[int, str]] = []
    lead_in = ""

    def flush() -> None:
        nonlocal paragraph, lead_in
        if paragraph:
            joined = " ".join(paragraph)
            units.append([heading, joined])
            lead_in = joined if joined.rstrip().endswith((":", "：")) else ""
            paragraph = []

    for line in body.splitlines():
        if match := _HEADING.match(line):
            flush()
            parents, lead_in, heading = [], "", match.group(1)
        elif not line.strip():
            flush()
        elif match := _ITEM.match(line):
            flush()
            indent = len(match.group(1).expandtabs(4))
            while parents and parents[-1][0] >= indent:
                parents.pop()
            units.append([" ".join([heading, lead_in, *(text for _, text in parents)]), match.group(2)])
            parents.append((indent, match.group(2)))
        elif parents and line.startswith((" ", "\t")):
            units[-1][1] += " " + line.strip()
            parents[-1] = (parents[-1][0], units[-1][1])
        else:
            parents, lead_in = [], ""
            paragraph.append(line.strip())
    flush()
    return [(context, text) for context, text in units]


def undated_amounts(body: str) -> list[str]:
    found = []
    for context, text in amount_units(body):
        if not MONEY.search(SCHEME_NAME.sub("", text)):
            continue
        where = f"{context} {text}"
        if not (YEAR.search(where) or SOURCE_DATE.search(where)):
            found.append(text)
    return found


def test_amount_check_itself() -> None:
    body = "\n\n".join(
        [
            "## Amounts and limits",
            "A fee of HK$100 (2024 table).",
            "A fee of HK$200.",
            "每月港幣4,250元（2025年2月1日起）。",
            "每月4,250元。",
            "Fine up to $5,000 (undated page).",
            "The $2 Scheme is for elders.",
            "Aged 12 or over, for 30 days.",
            "Fees from 8 September 2025:\n- Adult: HK$430.\n- Child: HK$215.",
            "- Same list after a blank line: HK$5.",
            "A paragraph ends the list.\n- Replacement HK$25.",
            "Limits:\n- Limits (from 1 February 2024):\n  - Single: HK$10,710.\n  continued HK$1.\n"
            "- Couple: HK$16,330.",
            "## Fees in 2025\n- Card: HK$30.",
            "## Other\n- Card: 30港元\n- 港幣 5",
        ]
    )
    assert undated_amounts(body) == [
        "A fee of HK$200.",
        "每月4,250元。",
        "Replacement HK$25.",
        "Couple: HK$16,330.",
        "Card: 30港元",
        "港幣 5",
    ]


def _undated_by_file() -> dict[str, list[str]]:
    found = {}
    for path in FILES:
        texts = undated_amounts(parsed(path)[1])
        if texts:
            found[rel(path)] = texts
    return found


#: Files allowed to state an amount without a date. Empty: every bundled file now dates its amounts.
KNOWN_UNDATED: frozenset[str] = frozenset()


def test_every_amount_carries_a_date() -> None:
    found = _undated_by_file()
    lines = [f"{name}: {text[:100]}" for name, texts in found.items() for text in texts]
    assert not found, offenders_message("state an amount with no date", lines)


def test_no_new_files_with_undated_amounts() -> None:
    """Files outside the known list must keep every amount dated (this part is not allowed to fail)."""
    new = {name: texts for name, texts in _undated_by_file().items() if name not in KNOWN_UNDATED}
    lines = [f"{name}: {text[:100]}" for name, texts in new.items() for text in texts]
    assert not new, offenders_message("state an amount with no date", lines)
