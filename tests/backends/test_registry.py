"""Tests for the backend registry: the configured backend, its fallback, and where it says it runs."""

from __future__ import annotations

import pytest

from kaifong.backends.extractive import ExtractiveBackend
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.backends.registry import BACKENDS, build_backend, build_fallback, where_it_runs
from kaifong.settings import LLMSettings, Settings
from kaifong.testing import ScriptedBackend

SERVER = LLMSettings(backend="openai-compatible", base_url="https://llm.example.gov.hk:8443/v1", model="m")


def test_every_settable_backend_is_registered_under_a_kebab_case_name() -> None:
    settable = set(LLMSettings.model_fields["backend"].annotation.__args__)  # type: ignore[union-attr]
    assert settable == set(BACKENDS)


def test_the_settings_choose_the_backend_and_the_fallback() -> None:
    extractive = build_backend(Settings())
    assert isinstance(extractive, ExtractiveBackend)
    assert build_fallback(Settings(), extractive) is None  # nothing to fall back from
    model = build_backend(Settings(llm=SERVER))
    assert isinstance(model, OpenAICompatibleBackend)
    assert isinstance(build_fallback(Settings(llm=SERVER), model), ExtractiveBackend)
    off = SERVER.model_copy(update={"fallback": "none"})
    assert build_fallback(Settings(llm=off), model) is None


def test_an_unknown_backend_name_lists_the_known_ones() -> None:
    settings = Settings(llm=LLMSettings.model_construct(backend="llama"))  # bypasses validation on purpose
    with pytest.raises(
        ValueError, match="'llama' is not a backend; use one of: extractive, openai-compatible"
    ):
        build_backend(settings)


def test_where_a_backend_runs() -> None:
    assert where_it_runs(ExtractiveBackend()) == "in this process, no model"
    assert where_it_runs(OpenAICompatibleBackend(SERVER)) == "llm.example.gov.hk:8443"
    assert where_it_runs(ScriptedBackend()) == "not declared by the backend"
