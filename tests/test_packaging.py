"""Every data file the package reads is declared as package data, so a non-editable install ships it."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kaifong"


def test_every_data_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["kaifong"]
    missing = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
        and not any(fnmatch.fnmatch(str(path.relative_to(PACKAGE)), p.replace("**/", "*")) for p in patterns)
    ]
    assert not missing, f"add these to [tool.setuptools.package-data] in pyproject.toml: {missing}"
