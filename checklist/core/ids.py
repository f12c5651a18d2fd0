"""Item ids: short, stable across syncs and machines, derived from (officer, key, period).

The stored id is 12 characters of Crockford base32 (60 bits): at province scale (1.5 million
items) a collision is about a one-in-a-million event. Users see the shortest prefix of at least
``SHOWN`` characters that is unique in the list in front of them, and may type any unique prefix of
at least ``MIN_PREFIX`` characters.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Iterable

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford: no i, l, o, u
LENGTH = 12
SHOWN = 6
MIN_PREFIX = 4


_FROM_RFC4648 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


def item_id(officer: str, key: str, period: str) -> str:
    """The first 60 bits of sha256(officer, key, period), as 12 Crockford base32 characters.

    base32 of the first 8 bytes gives those 60 bits in its first 12 characters (12 × 5 = 60);
    only the alphabet differs. A sync makes hundreds of thousands of these.
    """
    digest = hashlib.sha256(f"{officer}\x1f{key}\x1f{period}".encode("utf-8")).digest()
    return base64.b32encode(digest[:8])[:LENGTH].decode("ascii").translate(_FROM_RFC4648)


def normalise_prefix(text: str) -> str:
    """What a user typed, as an id prefix: full-width and case folded (ＤＡＹ１ → day1), zero-width
    characters dropped, and o→0, i/l→1 as Crockford reads."""
    from checklist.core.text import clean

    cleaned = clean(text).lower().replace("-", "")
    return cleaned.translate(str.maketrans({"o": "0", "i": "1", "l": "1"}))


def short_ids(ids: Iterable[str], shown: int = SHOWN) -> dict[str, str]:
    """The shortest prefix (at least ``shown`` characters) of each id that no other id shares."""
    ordered = sorted(set(ids))
    result = {}
    for n, current in enumerate(ordered):
        common = 0
        for neighbour in (ordered[n - 1] if n else None, ordered[n + 1] if n + 1 < len(ordered) else None):
            if neighbour is not None:
                same = 0
                while same < LENGTH and current[same] == neighbour[same]:
                    same += 1
                common = max(common, same)
        result[current] = current[: max(shown, common + 1)]
    return result
