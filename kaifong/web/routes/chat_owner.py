"""Whose conversation is it: a conversation page opens only for the browser that started the conversation.

A conversation's id is in its page's address, and an address is easily seen, shared or left in a shared
computer's history, so the id alone opens nothing. The browser that started a conversation keeps, in one
cookie, ``<conversation id>~<subject token>`` pairs for its last few conversations: the token is the
resident's own key (kaifong.governance.subject_rights), checked against its stored hash. The cookie is
HttpOnly (no script reads it), SameSite=Strict (no other site can send it along with a form), limited to
the ``/chat`` pages, sent only over HTTPS when the page came over HTTPS, and ends when the browser closes.
A key posted by the chat form (pages answered by htmx or streamed carry it) proves ownership too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from kaifong.governance import subject_rights
from kaifong.governance.subject_rights import TOKEN_SHAPE, SubjectTokenRejected
from kaifong.services import Services

OWNER_COOKIE = "kaifong_chats"
COOKIE_PATH = "/chat"
#: How many conversations one browser can come back to (the oldest is forgotten first).
MAX_REMEMBERED = 5
_PAIR_SEPARATOR = "."
_FIELD_SEPARATOR = "~"


@dataclass(frozen=True)
class Ownership:
    """How a visitor stands to a conversation: ``mine`` (with the key that proved it), ``ended`` (their
    conversation was ``erased`` or ``expired``), or ``not_mine`` (no key of theirs opens it)."""

    state: Literal["mine", "ended", "not_mine"]
    token: str = ""
    ended: str = ""


def remembered(request: Request) -> list[tuple[str, str]]:
    """The (conversation id, subject token) pairs in the visitor's cookie, oldest first; malformed ones are
    dropped."""
    pairs = []
    for item in request.cookies.get(OWNER_COOKIE, "").split(_PAIR_SEPARATOR):
        conversation_id, _, token = item.partition(_FIELD_SEPARATOR)
        if conversation_id and TOKEN_SHAPE.fullmatch(token) and _FIELD_SEPARATOR not in conversation_id:
            pairs.append((conversation_id, token))
    return pairs


def ownership(
    services: Services, request: Request, conversation_id: str, posted_token: str = ""
) -> Ownership:
    """Whether the visitor's cookie, or the key the form posted, opens ``conversation_id``."""
    keys = [token for cid, token in remembered(request) if cid == conversation_id]
    if posted_token and posted_token not in keys:
        keys.append(posted_token)
    ended = ""
    for token in keys:
        try:
            opened = subject_rights.conversation_for(services, token)
        except SubjectTokenRejected as exc:
            if exc.reason in ("erased", "expired"):
                ended = exc.reason
            continue
        if opened == conversation_id:
            return Ownership("mine", token=token)
    return Ownership("ended", ended=ended) if ended else Ownership("not_mine")


def remember(response: Response, request: Request, conversation_id: str, token: str) -> None:
    """Add (or move to the newest place) ``conversation_id`` and its key in the visitor's cookie."""
    if not TOKEN_SHAPE.fullmatch(token) or _FIELD_SEPARATOR in conversation_id:
        return
    pairs = [pair for pair in remembered(request) if pair[0] != conversation_id]
    pairs = [*pairs, (conversation_id, token)][-MAX_REMEMBERED:]
    response.set_cookie(
        OWNER_COOKIE,
        _PAIR_SEPARATOR.join(f"{cid}{_FIELD_SEPARATOR}{key}" for cid, key in pairs),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
