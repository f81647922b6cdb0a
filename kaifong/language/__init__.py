"""Language, register and script detection plus Traditional/Simplified conversion."""

from kaifong.language.convert import fold, to_hans, to_hant
from kaifong.language.detect import detect

__all__ = ["detect", "fold", "to_hans", "to_hant"]
