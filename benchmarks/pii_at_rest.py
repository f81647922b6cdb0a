"""Personal data at rest: 1,000 PII-laden conversations through the HTTP API, then every byte on disk scanned.

``kaifong serve`` runs in its own process on a fresh database (its stdout and stderr captured to files).
This process drives ``CONVERSATIONS`` conversations over loopback, a quarter in each language form (en,
zh-Hant, zh-Hans, yue), two questions each, written from templates whose slots are filled by a seeded RNG
with Hong Kong identifiers: HKIDs with valid check digits (printed as ``A123456(3)``, ``A1234563``, with
spaces, some full-width), valid Hong Kong phone numbers (spaced, dashed, with +852), e-mail addresses,
HKSAR passport numbers, card numbers passing Luhn, addresses and names (English and Chinese). Each
conversation is then exported through ``POST /api/v1/subject/export`` with its token.

Scanned for every identifier — as given, and normalised (NFKC, no spaces, brackets or dashes; digits only;
``+852`` forms; lower case; JSON ``\\u`` escapes of Chinese): the SQLite file with its ``-wal`` and
``-shm`` while the server runs and again after it stops, the audit events' payloads, and the server's
captured output. Goal: 0 hits. An identifier already present in the database before the run (a name in
the knowledge base) is left out and counted separately; a digits-only form found inside a run of hex
digits (a SHA-256 in the audit log) is counted as a chance match, not a leak.

Baselines measured in the same run: a naive store (the raw questions appended to a text file) scanned the
same way; and the exported conversations, which are the redacted text Kaifong keeps — what would lie in
the file if it were not encrypted (identifiers the recognizers miss, mostly names).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import opencc
import phonenumbers

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import write  # noqa: E402
from benchmarks.http_throughput import free_port  # noqa: E402
from kaifong.governance.recognizers import hkid_check_character  # noqa: E402

SEED = 20261122
CONVERSATIONS = 1000
CONCURRENCY = 8
FORMS = ("en", "zh-Hant", "zh-Hans", "yue")
V = json.loads((ROOT / "benchmarks" / "data" / "pii" / "values.json").read_text(encoding="utf-8"))

#: Two questions per conversation; {SLOTS} are identifiers, the rest asks about a bundled topic.
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "en": [
        (
            "My HKID is {HKID} and my phone is {PHONE}. How do I renew my driving licence?",
            "I am {NAME}, email {EMAIL}. How much does it cost?",
        ),
        (
            "I'm {NAME}, passport {PASSPORT}, living at {ADDRESS}. How do I renew my passport?",
            "You can reach me on {PHONE} or {EMAIL}. What documents do I need?",
        ),
        (
            "Card {CARD}, HKID {HKID}: how do I apply for public rental housing?",
            "Send letters to {ADDRESS} for {NAME}. How long is the wait?",
        ),
    ],
    "zh-Hant": [
        ("我的身份證號碼是{HKID}，電話{PHONE}，如何續領駕駛執照？", "我叫{NAME}，電郵{EMAIL}，費用是多少？"),
        (
            "我是{NAME}，護照號碼{PASSPORT}，住在{ADDRESS}，如何換領護照？",
            "請致電{PHONE}或電郵{EMAIL}聯絡我。需要甚麼文件？",
        ),
        ("信用卡{CARD}，身份證{HKID}，如何申請公屋？", "通訊地址{ADDRESS}，收件人{NAME}。要等多久？"),
    ],
    "yue": [
        ("我身份證係{HKID}，電話{PHONE}，點樣續駕駛執照？", "我叫{NAME}，email係{EMAIL}，要幾多錢？"),
        (
            "我係{NAME}，護照{PASSPORT}，住喺{ADDRESS}，想renew passport要帶咩？",
            "打{PHONE}或者email {EMAIL}搵我。要帶啲咩文件？",
        ),
        ("我張卡係{CARD}，身份證{HKID}，點樣申請公屋？", "寄信去{ADDRESS}俾{NAME}。要等幾耐？"),
    ],
}
SLOT = re.compile(r"\{([A-Z]+)\}")
HEX_RUN = re.compile(rb"[0-9a-f]{32,}")
END = -1  # marks the end of a form in the trie
Trie = dict[int, "Trie"]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def hkid(rng: random.Random) -> str:
    """A valid HKID in one of the printed forms (a tenth full-width)."""
    prefix = "".join(rng.choice(string.ascii_uppercase) for _ in range(1 if rng.random() < 0.85 else 2))
    digits = _digits(rng, 6)
    check = hkid_check_character(prefix, digits)
    style = rng.choice(["{p}{d}({c})", "{p}{d}{c}", "{p}{d} ({c})", "{p} {d}({c})"])
    value = style.format(p=prefix, d=digits, c=check)
    return _full_width(value) if rng.random() < 0.1 else value


def phone(rng: random.Random) -> str:
    """A valid Hong Kong number, spaced, dashed or with +852."""
    while True:
        national = rng.choice("5679") + _digits(rng, 7)
        if phonenumbers.is_valid_number(phonenumbers.parse("+852" + national, "HK")):
            break
    style = rng.choice(["{a}{b}", "{a} {b}", "{a}-{b}", "+852 {a} {b}", "+852-{a}-{b}", "+852{a}{b}"])
    return style.format(a=national[:4], b=national[4:])


def card(rng: random.Random) -> str:
    """A 16-digit card number that passes Luhn, in groups of four (spaces or dashes) or run together."""
    partial = rng.choice("45") + _digits(rng, 14)
    for check in string.digits:
        total = 0
        for index, char in enumerate(reversed(partial + check)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            number = partial + check
            break
    sep = rng.choice(["", " ", "-"])
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def name(rng: random.Random, form: str) -> str:
    """A Hong Kong name: English (surname + given) or Chinese (one or two surname characters + two)."""
    if form == "en":
        return f"{rng.choice(V['surnames_en'])} {rng.choice(V['given_en'])} {rng.choice(V['surnames_en'])}"
    surname = rng.choice(list(V["surnames_zh"]) + V["double_surnames_zh"])
    return surname + "".join(rng.choice(V["given_zh"]) for _ in range(2))


def address(rng: random.Random, form: str) -> str:
    """A flat, floor, building and street."""
    flat, floor, number = rng.choice("ABCDEFGH"), rng.randint(2, 40), rng.randint(1, 300)
    if form == "en":
        building, street = rng.choice(V["buildings_en"]), rng.choice(V["streets_en"])
        district = rng.choice(V["districts_en"])
        unit = f"Flat {rng.randint(1, 40)}{flat}, {floor}/F"
        return f"{unit}, {building} Building, {number} {street} Road, {district}"
    district = rng.choice([d for d in V["districts_zh"] if d])
    building, street = rng.choice(V["buildings_zh"]), rng.choice(V["streets_zh"])
    return f"{district}{street}{number}號{building}{floor}樓{flat}室"


def email(rng: random.Random) -> str:
    """A personal-looking e-mail address, unique enough to be found again."""
    user = rng.choice(V["surnames_en"]).lower() + rng.choice([".", "_", ""]) + _digits(rng, 4)
    return f"{user}@{rng.choice(V['email_domains'])}"


def fill(slot: str, rng: random.Random, form: str) -> str:
    """One identifier for ``slot``."""
    makers = {
        "HKID": lambda: hkid(rng),
        "PHONE": lambda: phone(rng),
        "CARD": lambda: card(rng),
        "EMAIL": lambda: email(rng),
        "PASSPORT": lambda: rng.choice("KH") + _digits(rng, 8),
        "NAME": lambda: name(rng, form),
        "ADDRESS": lambda: address(rng, form),
    }
    return makers[slot]()


@dataclass
class Conversation:
    """Two questions in one language form and the identifiers (kind, value) written into them."""

    form: str
    questions: list[str]
    identifiers: list[tuple[str, str]] = field(default_factory=list)


def conversations(count: int, seed: int) -> list[Conversation]:
    """``count`` conversations, a quarter per form; zh-Hans from zh-Hant templates by OpenCC (hk2s)."""
    rng = random.Random(seed)
    hans = opencc.OpenCC("hk2s")
    made = []
    for n in range(count):
        form = FORMS[n % len(FORMS)]
        pair = rng.choice(TEMPLATES["zh-Hant" if form == "zh-Hans" else form])
        conversation = Conversation(form, [])
        for template in pair:
            parts, last = [], 0
            for match in SLOT.finditer(template):
                value = fill(match.group(1), rng, "zh" if form != "en" else "en")
                if form == "zh-Hans":
                    value = hans.convert(value)
                conversation.identifiers.append((match.group(1), value))
                parts += [template[last : match.start()], value]
                last = match.end()
            text = "".join([*parts, template[last:]])
            conversation.questions.append(hans.convert(text) if form == "zh-Hans" else text)
        made.append(conversation)
    return made


def forms_of(kind: str, value: str) -> set[str]:
    """The identifier as given and in the normalised forms a careless store or log might hold."""
    nfkc = unicodedata.normalize("NFKC", value)
    compact = re.sub(r"[\s()\-]", "", nfkc)
    found = {value, nfkc, compact, compact.lower(), compact.upper()}
    if kind == "PHONE":
        digits = re.sub(r"\D", "", nfkc)[-8:]
        found |= {digits, "+852" + digits, "852" + digits, f"{digits[:4]} {digits[4:]}"}
    if kind == "CARD":
        digits = re.sub(r"\D", "", nfkc)
        found |= {digits, " ".join(digits[i : i + 4] for i in range(0, 16, 4))}
    if kind == "HKID":
        found.add(re.sub(r"^([A-Z]{1,2}\d{6})([0-9A])$", r"\1(\2)", compact))
    if kind == "EMAIL":
        found.add(nfkc.lower())
    if kind == "NAME" and " " in nfkc:
        found.add(nfkc.replace(" ", ""))
    escaped = {json.dumps(f)[1:-1] for f in found if not f.isascii()}  # \uXXXX, as ensure_ascii writes
    return {f for f in found | escaped if len(f) >= 3}


def needles(convs: list[Conversation]) -> list[tuple[str, str, list[bytes]]]:
    """Every identifier once: (kind, value, its forms as UTF-8 bytes)."""
    seen: dict[str, tuple[str, str, list[bytes]]] = {}
    for conversation in convs:
        for kind, value in conversation.identifiers:
            seen.setdefault(value, (kind, value, sorted({f.encode() for f in forms_of(kind, value)})))
    return list(seen.values())


def in_hex_run(data: bytes, start: int, end: int) -> bool:
    """True when ``data[start:end]`` lies inside a run of 32+ lowercase hex digits (a digest)."""
    lo, hi = max(0, start - 64), min(len(data), end + 64)
    return any(m.start() <= start - lo and end - lo <= m.end() for m in HEX_RUN.finditer(data[lo:hi]))


def trie_regex(forms: list[bytes]) -> re.Pattern[bytes]:
    """One pattern matching any of ``forms`` at every position (a lookahead over a byte trie), so that a
    scan is one pass over the data however many identifiers there are."""
    trie: Trie = {}
    for form in forms:
        node = trie
        for byte in form:
            node = node.setdefault(byte, {})
        node[END] = {}

    def build(node: Trie) -> bytes:
        steps = sorted((b, child) for b, child in node.items() if b != END)
        if not steps:
            return b""
        body = b"(?:" + b"|".join(re.escape(bytes([b])) + build(child) for b, child in steps) + b")"
        return body + b"?" if END in node else body  # greedy: the longest form wins

    return re.compile(b"(?=(" + build(trie) + b"))")


@dataclass
class Scan:
    """Which identifiers a blob of bytes exposes (kind counts), with chance matches in digests apart."""

    exposed: Counter[str] = field(default_factory=Counter)
    chance: int = 0
    values: list[str] = field(default_factory=list)


class Scanner:
    """Finds every form of every identifier in one pass over the bytes."""

    def __init__(self, items: list[tuple[str, str, list[bytes]]]) -> None:
        self.owner: dict[bytes, list[tuple[str, str]]] = {}
        for kind, value, forms in items:
            for form in forms:
                self.owner.setdefault(form, []).append((kind, value))
        self.pattern = trie_regex(sorted(self.owner))

    def scan(self, data: bytes, skip: frozenset[str] = frozenset()) -> Scan:
        """Count identifiers any form of which occurs in ``data`` (those in ``skip`` left out)."""
        hits: dict[str, str] = {}
        chance: set[str] = set()
        for match in self.pattern.finditer(data):
            form = match.group(1)
            for kind, value in self.owner[form]:
                if value in skip or value in hits:
                    continue
                if form.isdigit() and in_hex_run(data, match.start(), match.start() + len(form)):
                    chance.add(value)
                else:
                    hits[value] = kind
        result = Scan(Counter(hits.values()), len(chance - set(hits)), sorted(hits))
        return result


def files_bytes(database: Path) -> bytes:
    """The database file and its -wal and -shm, as they are on disk."""
    parts = [database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def audit_payloads(database: Path) -> bytes:
    """The audit log's events as text (kind and payload, one per line)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT kind, payload FROM audit_events ORDER BY seq").fetchall()
    return "\n".join(f"{k} {p}" for k, p in rows).encode()


async def drive(base: str, convs: list[Conversation]) -> dict[str, object]:
    """Ask every conversation's two questions, then export it with its token."""
    queue: asyncio.Queue[Conversation] = asyncio.Queue()
    for conversation in convs:
        queue.put_nowait(conversation)
    statuses: Counter[str] = Counter()
    exports: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:

        async def worker() -> None:
            while not queue.empty():
                conversation = queue.get_nowait()
                first = await client.post("/api/v1/answers", json={"question": conversation.questions[0]})
                statuses[str(first.status_code)] += 1
                if first.status_code != 200:
                    continue
                data = first.json()
                follow = await client.post(
                    "/api/v1/answers",
                    json={"question": conversation.questions[1], "conversation_id": data["conversation_id"]},
                )
                statuses[str(follow.status_code)] += 1
                token = data["subject_token"]
                exported = await client.post(
                    "/api/v1/subject/export", headers={"authorization": f"Bearer {token}"}
                )
                statuses[f"export {exported.status_code}"] += 1
                exports.append(exported.text)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        seconds = time.perf_counter() - started
    return {"statuses": dict(statuses), "exports": exports, "seconds": seconds}


def start_server(folder: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    """``kaifong serve`` on a fresh database in ``folder``, output captured to ``server.log``."""
    log = folder / "server.log"
    env = {**os.environ, "KAIFONG_DATABASE_URL": f"sqlite:///{folder / 'kaifong.db'}"}
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "kaifong.cli", "serve", "--port", str(port)],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"kaifong serve stopped (exit {server.returncode}); see {log}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return server, log
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError(f"kaifong serve did not start within 60 s; see {log}")


def run(count: int = CONVERSATIONS, seed: int = SEED) -> dict[str, object]:
    """Drive, scan, compare with the baselines."""
    convs = conversations(count, seed)
    items = needles(convs)
    scanner = Scanner(items)
    folder = Path(tempfile.mkdtemp(prefix="kaifong-pii-at-rest-"))
    database = folder / "kaifong.db"
    port = free_port()
    server, log = start_server(folder, port)
    try:
        background = frozenset(scanner.scan(files_bytes(database)).values)  # in the knowledge base already
        driven = asyncio.run(drive(f"http://127.0.0.1:{port}", convs))
        running = files_bytes(database)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stopped = files_bytes(database)
    naive = folder / "naive-questions.txt"
    naive.write_text("\n".join(q for c in convs for q in c.questions), encoding="utf-8")
    exports = driven.pop("exports")
    assert isinstance(exports, list)
    ids = [json.loads(e)["conversation_id"].encode() for e in exports]
    control = sum(i in running for i in ids)  # the scan sees rows written during the run (WAL included)
    started = time.perf_counter()
    results = {
        "database (server running)": scanner.scan(running, background),
        "database (server stopped)": scanner.scan(stopped, background),
        "audit log": scanner.scan(audit_payloads(database), background),
        "server output": scanner.scan(log.read_bytes(), background),
        "baseline: naive store (raw questions)": scanner.scan(naive.read_bytes(), background),
        "reference: redacted text (the exports)": scanner.scan("\n".join(exports).encode(), background),
    }
    scan_seconds = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    kinds = sorted({kind for kind, _, _ in items})
    return {
        "conversations": count,
        "questions": 2 * count,
        "identifiers": len(items),
        "identifiers_by_kind": dict(Counter(kind for kind, _, _ in items)),
        "in_knowledge_base_before_run": len(background),
        "control_conversation_ids_found": f"{control}/{len(ids)}",
        "seconds": round(float(driven["seconds"]), 1),  # type: ignore[arg-type]
        "scan_seconds": round(scan_seconds, 1),
        "bytes_scanned_at_rest": len(running) + len(stopped),
        "statuses": driven["statuses"],
        "kinds": kinds,
        "scans": {
            where: {
                "exposed": sum(s.exposed.values()),
                "by_kind": dict(s.exposed),
                "chance_in_digests": s.chance,
            }
            for where, s in results.items()
        },
        "goal_exposed_at_rest": 0,
    }


def print_table(results: dict[str, object]) -> None:
    """Hits per place and kind, the at-rest places beside the naive baseline."""
    kinds, scans = results["kinds"], results["scans"]
    assert isinstance(kinds, list) and isinstance(scans, dict)
    by_kind = results["identifiers_by_kind"]
    assert isinstance(by_kind, dict)
    print(
        f"\nPII at rest: {results['conversations']} conversations, {results['questions']} questions, "
        f"{results['identifiers']} distinct identifiers, over HTTP in {results['seconds']} s "
        f"(statuses {results['statuses']})"
    )
    header = f"{'where scanned':42}" + "".join(f"{k:>9}" for k in kinds) + f"{'all':>8}{'chance':>8}"
    print(header)
    print(
        f"{'identifiers written':42}"
        + "".join(f"{by_kind[k]:>9}" for k in kinds)
        + f"{results['identifiers']:>8}"
    )
    for where, block in scans.items():
        row = "".join(f"{block['by_kind'].get(k, 0):>9}" for k in kinds)
        print(f"{where:42}{row}{block['exposed']:>8}{block['chance_in_digests']:>8}")
    print(
        f"control: conversation ids (stored in plain text) found in the running database's bytes: "
        f"{results['control_conversation_ids_found']}"
    )
    print(
        f"goal: 0 at rest (database, audit log, server output); {results['in_knowledge_base_before_run']} "
        "identifiers were in the database before the run and are left out; 'chance' = a digits-only form "
        "found inside a hex digest"
    )


def main() -> None:
    """Run, print and write ``benchmarks/results/pii_at_rest.json``."""
    results = run()
    print_table(results)
    write("pii_at_rest", results)


if __name__ == "__main__":
    main()
