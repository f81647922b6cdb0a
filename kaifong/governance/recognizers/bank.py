"""Hong Kong bank account numbers (3-3-6, 3-6-3 and similar digit groups), only with context."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import LEFT_OF_FIRST, RIGHT, Context, Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["BankAccountRecognizer"]

# 9-16 digits in all, bare or in 2-5 groups separated by one hyphen or space (012-345-678901-2,
# 123-456789-001, 012-3-456789, 123 456 789012).
_BANK_RE = re.compile(
    r"[0-9]"
    + LEFT_OF_FIRST
    + r"(?<![0-9][ -].)(?:[0-9]{8,15}|[0-9]{0,5}(?:[ -][0-9]{1,9}){1,4})"
    + RIGHT
    + r"(?![ -][0-9])"
)
BANK_CONTEXT = Context(
    (
        "account",
        "acct",
        "a/c",
        "ac no",
        "bank",
        "戶口",
        "户口",
        "帳號",
        "账号",
        "帳戶",
        "账户",
        "賬戶",
        "賬號",
        "銀行",
        "银行",
        "帐号",
        "帐户",
        "转帐",
        "過數",
        "过数",
        "轉帳",
        "转账",
        "入數",
        "入数",
    ),
    before=30,
    after=8,
)


class BankAccountRecognizer:
    """Bank account numbers such as ``012-345-678901-2`` beside a context word (account, 戶口, a/c...).

    Without context such digit groups are indistinguishable from reference or case numbers, so
    they are not reported.  9-16 digits in all; score 0.85 (a valid card number scores higher).
    """

    kind = "BANK_ACCOUNT"
    needs = Needs(digits=9, context=BANK_CONTEXT)  # nine digits and a context word

    def find(self, text: str) -> list[Finding]:
        """Return the bank account numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _BANK_RE.finditer(text):
            value = match.group()
            digits = len(value) - value.count(" ") - value.count("-")
            if 9 <= digits <= 16 and BANK_CONTEXT.around(text, match.start(), match.end()):
                findings.append(finding(self.kind, match, 0.85))
        return findings
