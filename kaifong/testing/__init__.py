"""Test support for Kaifong and its plugins: protocol fakes and conformance checks."""

from kaifong.testing.contracts import check_backend, check_retriever
from kaifong.testing.fakes import FailingRetriever, InMemoryRetriever, ScriptedBackend, make_passage

__all__ = [
    "FailingRetriever",
    "InMemoryRetriever",
    "ScriptedBackend",
    "check_backend",
    "check_retriever",
    "make_passage",
]
