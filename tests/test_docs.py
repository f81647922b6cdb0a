"""Docs that can be generated are generated; docs that cannot are checked against the code."""

from __future__ import annotations

import ast
from pathlib import Path

from kaifong.settings import Settings
from tools.architecture import PACKAGE, TARGET, render

ROOT = Path(__file__).resolve().parent.parent


def test_architecture_page_is_current() -> None:
    assert TARGET.read_text(encoding="utf-8") == render(), "run `make docs` and commit docs/architecture.md"


def test_every_module_has_a_docstring() -> None:
    missing = [
        p for p in PACKAGE.rglob("*.py") if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert not missing, missing


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        nested = getattr(field.annotation, "model_fields", None)
        if nested:
            for sub in nested:
                if sub != "dense":
                    assert f"KAIFONG_{name.upper()}__{sub.upper()}" in readme, sub
        else:
            assert f"KAIFONG_{name.upper()}" in readme, name


def test_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line.split("#")[0].strip() for line in lines[:6] if line.startswith("make ")]
    assert commands == ["make run", "make test"]
