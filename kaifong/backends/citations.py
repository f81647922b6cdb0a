"""Citation tokens in a model's draft: [n] mapped to the retrieved passages, everything else removed.

The prompt numbers the passages ``[1]..[n]``; the model writes those tokens after its claims.
``CitationMapper`` rewrites a draft so that it cites only what was retrieved: a token naming a passage
becomes ``[k]``, where ``k`` is that passage's *document* in the order documents are first cited (the order
of the answer's source list); any other number in citation brackets (``[0]``, ``[9]`` of five passages, a
year in brackets) is removed, and so is any web address that is not a retrieved passage's own page (a
Markdown link to such an address keeps only its words). It works on a whole draft or incrementally on a
stream: text that could still become a token or an address (``"[1"``, ``"http"``) is held back until the
next piece shows how it ends.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from kaifong.backends.base import Completion
from kaifong.types import Passage

_URL_CHARS = r"[^\s<>()\[\]{}\"'`「」『』（）【】［］〈〉《》，。、；：！？]"
_URL = re.compile(rf"([ \t]*)((?:https?://|www\.){_URL_CHARS}+)", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\")"
_LINK = re.compile(
    rf"\[([^\[\]\n]{{1,200}})\]\([ \t]*((?:https?://|www\.){_URL_CHARS}+)[ \t]*\)",
    re.IGNORECASE,
)
_NUMBERS = r"\d{1,4}(?:[ \t]*[,，、;；\-–~][ \t]*\d{1,4})*"
_CITATION = re.compile(rf"([ \t]*)[\[［【][ \t]*({_NUMBERS})[ \t]*[\]］】]")
_DANGLING = re.compile(rf"[ \t]*[\[［【][ \t]*(?:{_NUMBERS})?[ \t,，、;；\-–~]*$")

#: The unfinished end of a piece of draft: an open bracket (a citation or link text still being written),
#: a closed bracket that a Markdown ``(address)`` may follow, an address still being written, or the
#: first letters of one. Held back until the next piece (or the end) shows how it ends.
_PENDING = re.compile(
    r"(?:[\[［【][^\]］】\n]{0,200}"
    rf"|\[[^\[\]\n]{{0,200}}\](?:\([ \t]*{_URL_CHARS}{{0,2000}})?"
    rf"|(?:https?://|www\.){_URL_CHARS}*"
    r"|(?<![A-Za-z0-9])(?:https?:/{0,2}|h(?:t(?:t(?:ps?)?)?)?|w{1,3}))$",
    re.IGNORECASE,
)


def _url_key(url: str) -> str:
    """An address compared without scheme, case of the host, ``www.``, trailing slash or fragment."""
    if not re.match(r"https?://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


class CitationMapper:
    """Rewrites one draft's citation tokens and addresses (see module doc); ``cited`` grows as it goes.

    ``passages`` are the prompt's passages in their numbered order (``[1]`` is ``passages[0]``).
    """

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = tuple(passages)
        self.cited: list[str] = []
        self._allowed = {_url_key(p.url) for p in self.passages if p.url}
        self._held = ""

    def feed(self, piece: str) -> Completion:
        """The part of the draft so far that is safe to release, rewritten, and the documents newly cited."""
        text = self._held + piece
        cut = _safe_end(text)
        self._held = text[cut:]
        return self._rewrite(text[:cut])

    def finish(self) -> Completion:
        """Whatever was held back, rewritten (an unfinished citation at the very end is dropped)."""
        text, self._held = _DANGLING.sub("", self._held), ""
        return self._rewrite(text)

    def whole(self, draft: str) -> Completion:
        """A complete draft rewritten in one go, with every document it cites."""
        first = self.feed(draft)
        last = self.finish()
        return Completion(first.text + last.text, tuple(self.cited))

    def _rewrite(self, text: str) -> Completion:
        before = len(self.cited)
        text = _LINK.sub(self._link, text)
        text = _CITATION.sub(self._citation, text)
        text = _URL.sub(self._url, text)
        return Completion(text, tuple(self.cited[before:]))

    def _number(self, n: int) -> int | None:
        """The source-list number of passage ``n`` (1-based), registering its document; None if no such."""
        if not 1 <= n <= len(self.passages):
            return None
        doc_id = self.passages[n - 1].doc_id
        if doc_id not in self.cited:
            self.cited.append(doc_id)
        return self.cited.index(doc_id) + 1

    def _citation(self, match: re.Match[str]) -> str:
        numbers = [self._number(int(n)) for n in re.findall(r"\d+", match.group(2))]
        kept = list(dict.fromkeys(n for n in numbers if n is not None))
        if not kept:
            return ""
        return match.group(1) + "".join(f"[{k}]" for k in kept)

    def _allowed_url(self, url: str) -> bool:
        return _url_key(url) in self._allowed

    def _link(self, match: re.Match[str]) -> str:
        words, url = match.group(1), match.group(2)
        allowed = self._allowed_url(url)
        if _CITATION.fullmatch(f"[{words}]"):  # a citation token written as a link: the token stays
            return f"[{words}]({url})" if allowed else f"[{words}]"
        return f"{words} ({url})" if allowed else words

    def _url(self, match: re.Match[str]) -> str:
        space, url = match.group(1), match.group(2)
        stripped = url.rstrip(_URL_TRAILING)
        tail = url[len(stripped) :]
        return space + url if self._allowed_url(stripped) else tail


def _safe_end(text: str) -> int:
    """Where the releasable part of ``text`` ends: before an unfinished construct and the spaces before it."""
    match = _PENDING.search(text)
    cut = match.start() if match else len(text)
    while cut > 0 and text[cut - 1] in " \t":
        cut -= 1
    return cut
