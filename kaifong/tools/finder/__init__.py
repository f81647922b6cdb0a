"""Service and course finder: a dated catalogue, eligibility rules evaluated by code, facts read from text.

``Finder(default_catalogue(), FactMemory()).answer(FinderRequest(text="我六十八歲，獨居"))`` lists what may
fit, rule by rule; :func:`present.reply_view` puts it into words. The department always decides.
"""

from kaifong.tools.finder.catalogue import Catalogue, Entry, default_catalogue, load_catalogue
from kaifong.tools.finder.extract import extract
from kaifong.tools.finder.facts import Facts
from kaifong.tools.finder.finder import Finder, FinderInputError, FinderReply, FinderRequest
from kaifong.tools.finder.matching import Filters, Match, find_matches
from kaifong.tools.finder.memory import FactMemory

__all__ = [
    "Catalogue",
    "Entry",
    "FactMemory",
    "Facts",
    "Filters",
    "Finder",
    "FinderInputError",
    "FinderReply",
    "FinderRequest",
    "Match",
    "default_catalogue",
    "extract",
    "find_matches",
    "load_catalogue",
]
