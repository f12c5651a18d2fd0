"""Item ids: short, stable across syncs and machines, derived from (officer, key, period).

The stored id is 12 characters of Crockford base32 (60 bits): at province scale (1.5 million
items) a collision is about a one-in-a-million event. Users see the shortest prefix of at least
``SHOWN`` characters that is unique in the list in front of them, and may type any unique prefix of
at least ``MIN_PREFIX`` characters.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford: no i, l, o, u
LENGTH = 12
SHOWN = 6
MIN_PREFIX = 4


# each 10 bits as two characters: an id is six look-ups (base64.b32encode is pure Python, and a sync
# makes a million ids at province scale)
_PAIRS = tuple(ALPHABET[n >> 5] + ALPHABET[n & 31] for n in range(1024))


def item_id(officer: str, key: str, period: str) -> str:
    """The first 60 bits of sha256(officer, key, period), as 12 Crockford base32 characters, most
    significant first (what base32 of the digest's first 8 bytes begins with, in this alphabet)."""
    digest = hashlib.sha256(f"{officer}\x1f{key}\x1f{period}".encode("utf-8")).digest()
    bits = int.from_bytes(digest[:8], "big") >> 4
    pairs = _PAIRS
    return (pairs[bits >> 50] + pairs[(bits >> 40) & 1023] + pairs[(bits >> 30) & 1023]
            + pairs[(bits >> 20) & 1023] + pairs[(bits >> 10) & 1023] + pairs[bits & 1023])


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
