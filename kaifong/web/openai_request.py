"""Reading an OpenAI chat-completions request: what Kaifong accepts, and a 4xx naming what it does not.

Accepted: ``model`` (one of MODELS, default the first), ``messages`` (at most MAX_MESSAGES; roles
``system``, ``developer``, ``user``, ``assistant``; content a string or a list of ``{"type": "text"}``
parts; the last message is the user's question), ``stream``, ``n`` = 1, and the extension object
``kaifong`` = ``{"conversation_id": "…"}``. Sampling settings (``temperature``, ``max_tokens``, ``stop`` …)
and ``user`` are ignored: the governed pipeline decides how an answer is written. Refused with a 400:
tools and function calls, images, audio and files, ``n`` > 1, log-probabilities, structured output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_BODY_BYTES = 256 * 1024
MAX_MESSAGES = 64
#: The model ids /v1 serves. ``kaifong`` is the governed pipeline (guards, retrieval, the configured backend,
#: output checks); which backend writes the drafts is in each answer's receipt and on /transparency.
MODELS = ("kaifong",)
ROLES = ("system", "developer", "user", "assistant")
TOOL_ROLES = ("tool", "function")
TOOL_FIELDS = ("tools", "functions", "tool_choice", "function_call")
#: Fields that would change what an answer is, which Kaifong cannot honour (refused when set).
UNSUPPORTED_FIELDS = ("logprobs", "top_logprobs", "audio", "prediction", "web_search_options")
NON_TEXT_PARTS = ("image_url", "input_image", "image", "input_audio", "audio", "file", "input_file")


@dataclass(frozen=True)
class ChatCall:
    """A chat-completions request Kaifong can answer."""

    question: str
    model: str = MODELS[0]
    stream: bool = False
    conversation_id: str | None = None
    earlier_questions: tuple[str, ...] = ()  # the earlier user messages, oldest first


@dataclass
class OpenAIRequestError(Exception):
    """A request Kaifong will not answer: HTTP status, a message key (with its values), the parameter at
    fault and OpenAI's error ``type`` and ``code``."""

    status: int
    key: str
    param: str | None
    code: str
    values: dict[str, object] = field(default_factory=dict)
    type: str = "invalid_request_error"


def _bad(key: str, at: str | None, code: str, /, **values: object) -> OpenAIRequestError:
    """A 400 with message ``key`` about parameter ``at``; ``values`` fill the message's placeholders."""
    return OpenAIRequestError(400, key, at, code, values)


def _type_error(param: str, expected: str) -> OpenAIRequestError:
    return _bad("openai.error.bad_type", param, "invalid_type", param=param, expected=expected)


def parse_json(raw: bytes) -> object:
    """The request body as JSON, or a 400 saying why it cannot be read (size, encoding, syntax, depth)."""
    if len(raw) > MAX_BODY_BYTES:
        raise _bad("openai.error.too_large", None, "request_too_large", limit=MAX_BODY_BYTES)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _bad("openai.error.not_json", None, "invalid_json", detail="not UTF-8") from None
    except json.JSONDecodeError as exc:
        detail = f"line {exc.lineno}, column {exc.colno}"
        raise _bad("openai.error.not_json", None, "invalid_json", detail=detail) from None
    except RecursionError:
        raise _bad("openai.error.not_json", None, "invalid_json", detail="nested too deeply") from None


def _content_text(content: object, index: int) -> str:
    """A message's text: a string, or text parts joined by line breaks."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise _bad(
            "openai.error.content_not_text", f"messages[{index}].content", "invalid_content", index=index
        )
    texts = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in NON_TEXT_PARTS:
            param = f"messages[{index}].content"
            raise _bad("openai.error.images", param, "unsupported_content", index=index)
        text = part.get("text") if isinstance(part, dict) else None
        if kind != "text" or not isinstance(text, str):
            param = f"messages[{index}].content"
            raise _bad("openai.error.content_not_text", param, "invalid_content", index=index)
        texts.append(text)
    return "\n".join(texts)


def _messages(data: dict[str, object]) -> list[tuple[str, str]]:
    """(role, text) of every message, checked."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _bad("openai.error.messages_missing", "messages", "missing_messages")
    if len(messages) > MAX_MESSAGES:
        raise _bad(
            "openai.error.too_many", "messages", "too_many_messages", count=len(messages), limit=MAX_MESSAGES
        )
    read: list[tuple[str, str]] = []
    for index, item in enumerate(messages):
        if not isinstance(item, dict):
            raise _bad(
                "openai.error.message_not_object", f"messages[{index}]", "invalid_message", index=index
            )
        role = item.get("role")
        if role in TOOL_ROLES or item.get("tool_calls") or item.get("function_call"):
            raise _bad(
                "openai.error.tools", f"messages[{index}]", "tools_not_supported", param=f"messages[{index}]"
            )
        if not isinstance(role, str) or role not in ROLES:
            shown = role if isinstance(role, str) else json.dumps(role)[:40]
            param = f"messages[{index}].role"
            raise _bad("openai.error.unknown_role", param, "invalid_role", index=index, role=shown[:40])
        read.append((role, _content_text(item.get("content"), index)))
    return read


def _conversation_id(data: dict[str, object]) -> str | None:
    extension = data.get("kaifong")
    if extension is None:
        return None
    if not isinstance(extension, dict):
        raise _type_error("kaifong", "object")
    conversation_id = extension.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise _type_error("kaifong.conversation_id", "string")
    return conversation_id or None


def read_chat_call(raw: bytes) -> ChatCall:
    """The ChatCall in a request body, or OpenAIRequestError naming the first thing Kaifong cannot honour."""
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise _bad("openai.error.not_object", None, "invalid_request")
    model = data.get("model", MODELS[0])
    if not isinstance(model, str):
        raise _type_error("model", "string")
    if model not in MODELS:
        error = _bad(
            "openai.error.unknown_model",
            "model",
            "model_not_found",
            model=model[:80],
            models=", ".join(MODELS),
        )
        error.status = 404
        raise error
    for name in TOOL_FIELDS:
        if data.get(name) not in (None, [], {}, "none"):
            raise _bad("openai.error.tools", name, "tools_not_supported", param=name)
    for name in UNSUPPORTED_FIELDS:
        if data.get(name) not in (None, False, 0):
            raise _bad("openai.error.unsupported", name, "unsupported_parameter", param=name)
    response_format = data.get("response_format")
    if response_format is not None and response_format != {"type": "text"}:
        raise _bad(
            "openai.error.unsupported", "response_format", "unsupported_parameter", param="response_format"
        )
    n = data.get("n", 1)
    if n is not None and (isinstance(n, bool) or n != 1):
        raise _bad("openai.error.n", "n", "unsupported_n", n=json.dumps(n)[:20])
    stream = data.get("stream", False)
    if stream is not None and not isinstance(stream, bool):
        raise _type_error("stream", "boolean")
    conversation_id = _conversation_id(data)
    messages = _messages(data)
    role, question = messages[-1]
    if role != "user":
        raise _bad(
            "openai.error.last_not_user", f"messages[{len(messages) - 1}].role", "invalid_last_message"
        )
    earlier = tuple(text for role, text in messages[:-1] if role == "user" and text.strip())
    return ChatCall(question, model, bool(stream), conversation_id, earlier)
