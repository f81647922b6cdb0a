"""Which backend answers, built from Settings: the configured one, and the fallback for its failures."""

from __future__ import annotations

from collections.abc import Callable

from kaifong.backends.base import LLMBackend
from kaifong.backends.extractive import ExtractiveBackend
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.settings import LLMSettings, Settings

#: Registered backend names (kebab-case) → a factory from the ``llm`` settings.
BACKENDS: dict[str, Callable[[LLMSettings], LLMBackend]] = {
    "extractive": lambda _settings: ExtractiveBackend(),
    "openai-compatible": OpenAICompatibleBackend,
}


def build_backend(settings: Settings) -> LLMBackend:
    """The backend ``settings.llm.backend`` names; ValueError listing the known names for any other."""
    factory = BACKENDS.get(settings.llm.backend)
    if factory is None:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(
            f"KAIFONG_LLM__BACKEND={settings.llm.backend!r} is not a backend; use one of: {known}"
        )
    return factory(settings.llm)


def build_fallback(settings: Settings, backend: LLMBackend) -> LLMBackend | None:
    """The extractive backend, to answer when ``backend`` fails (``llm.fallback``); None when ``backend`` is
    already extractive or the fallback is turned off."""
    if settings.llm.fallback == "none" or backend.name == "extractive":
        return None
    return ExtractiveBackend()


def where_it_runs(backend: LLMBackend) -> str:
    """Where a backend's model runs, for the transparency page: in this process, or the server's host."""
    if backend.name == "extractive":
        return "in this process, no model"
    runs = getattr(backend, "runs", None)
    return runs if isinstance(runs, str) and runs else "not declared by the backend"
