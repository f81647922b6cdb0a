"""Tests for the ``llm`` settings: read from KAIFONG_LLM__*, validated with messages that say what to set."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kaifong.settings import LLMSettings, Settings


def test_the_default_is_the_extractive_backend_with_an_extractive_fallback() -> None:
    llm = Settings().llm
    assert (llm.backend, llm.fallback, llm.base_url, llm.api_key) == ("extractive", "extractive", "", None)


def test_the_llm_section_is_read_from_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIFONG_LLM__BACKEND", "openai-compatible")
    monkeypatch.setenv("KAIFONG_LLM__BASE_URL", "http://10.0.0.5:8000/v1/")
    monkeypatch.setenv("KAIFONG_LLM__MODEL", "Qwen2.5-7B-Instruct")
    monkeypatch.setenv("KAIFONG_LLM__API_KEY", "sk-secret")
    monkeypatch.setenv("KAIFONG_LLM__TIMEOUT_S", "12.5")
    monkeypatch.setenv("KAIFONG_LLM__MAX_RETRIES", "0")
    monkeypatch.setenv("KAIFONG_LLM__CIRCUIT_FAILURES", "3")
    llm = Settings().llm
    assert llm.base_url == "http://10.0.0.5:8000/v1"  # the trailing slash is dropped
    assert llm.host == "10.0.0.5:8000"
    assert (llm.model, llm.timeout_s, llm.max_retries, llm.circuit_failures) == (
        "Qwen2.5-7B-Instruct",
        12.5,
        0,
        3,
    )
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "sk-secret"
    assert "sk-secret" not in repr(Settings())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"backend": "openai-compatible", "model": "m"}, "KAIFONG_LLM__BASE_URL is required when"),
        ({"backend": "openai-compatible", "base_url": "http://h/v1"}, "KAIFONG_LLM__MODEL is required when"),
        ({"base_url": "localhost:8080"}, "is not an http(s) URL; set the server's API root"),
        ({"base_url": "ftp://host/v1"}, "is not an http(s) URL"),
        (
            {"base_url": "http://h/v1/chat/completions"},
            "give the API root without /chat/completions, e.g. http://h/v1",
        ),
        ({"base_url": "http://user:pw@h/v1"}, "put the key in KAIFONG_LLM__API_KEY"),
        ({"backend": "llama"}, "'extractive' or 'openai-compatible'"),
        ({"fallback": "retry"}, "'extractive' or 'none'"),
        ({"max_retries": 99}, "less than or equal to 10"),
    ],
)
def test_bad_llm_settings_say_what_to_set(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LLMSettings(**values)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_a_base_url_alone_is_fine_while_the_backend_is_extractive() -> None:
    assert LLMSettings(base_url="https://llm.example.gov.hk/v1").host == "llm.example.gov.hk"
    assert LLMSettings().host == ""
