"""Governed document translation between English, Traditional and Simplified Chinese and written Cantonese."""

from kaifong.tools.translate.documents import DocumentError, read_upload
from kaifong.tools.translate.glossary import Glossary, Term, load_glossary
from kaifong.tools.translate.translator import (
    TextGenerator,
    Translation,
    TranslationUnavailable,
    translate,
)

__all__ = [
    "DocumentError",
    "Glossary",
    "Term",
    "TextGenerator",
    "Translation",
    "TranslationUnavailable",
    "load_glossary",
    "read_upload",
    "translate",
]
