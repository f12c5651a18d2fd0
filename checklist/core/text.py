"""Text from outside — spreadsheets, notes, templates — checked for characters that do harm.

Control characters (the escape that starts a terminal sequence, a bell, a backspace …) have no
place in a name, a title or a note: on a terminal they can recolour, move or hide what is shown.
Input is refused when it holds one; what is shown is made harmless anyway (``visible``), for data
that came in some other way.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab and newline, DEL, and C1 controls (U+0080–U+009F: 8-bit CSI among them);
# also what no file format can carry: lone surrogates (bytes that were not text) and U+FFFE/U+FFFF,
# which XML — and so an XLSX export — refuses
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def control_character(text: str) -> str | None:
    """The first control character in ``text``, written as an escape (``\\x1b``), or None."""
    match = CONTROL.search(text)
    return None if match is None else _escape(match.group())


def visible(text: str) -> str:
    """``text`` with every control character written out as an escape, so it shows but does nothing."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: _escape(m.group()), text)


ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean(text: str) -> str:
    """Text as it should be matched: full-width → half-width (NFKC), zero-width spaces removed."""
    if text.isascii():  # the common case, and NFKC leaves ASCII alone
        return text.strip()
    return unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).strip()
