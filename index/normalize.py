"""Text normalization shared by every reader.

Article text is data: it is shown literally and must never carry terminal
control. Everything that enters an :class:`~index.model.Article` passes
through :func:`clean_inline` or :func:`clean_multiline`.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC (ESC P/X/^/_ ... ST),
# and two-character escapes (ESC + one char). Also the 8-bit C1 forms.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                     # CSI
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC ... BEL/ST
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?  # DCS/SOS/PM/APC
  | \x1b[@-Z\\-_]?                                        # other ESC sequences
    """,
    re.VERBOSE,
)

# Bidi controls that can reorder what the terminal shows (Trojan Source style).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

# C0 (except \t \n), DEL, C1, bidi controls, and other invisible format characters
# that have no business in reading text. Zero-width joiner (U+200D) is kept: it
# is part of emoji and some scripts.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f" + _BIDI + "\u200b\u2060\ufeff\ufff9-\ufffb]"
)

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INLINE_WS = re.compile(r"\s+")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters; keep tabs and newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPES.sub("", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def clean_inline(text: str) -> str:
    """Normalize a paragraph-like run of text to one line.

    NFC, escape sequences and controls removed, every whitespace run (including
    newlines and tabs) folded to one space, ends trimmed.
    """
    text = unicodedata.normalize("NFC", strip_controls(text))
    return _INLINE_WS.sub(" ", text).strip()


def clean_multiline(text: str, *, keep_spaces: bool = False) -> str:
    """Normalize text whose line breaks matter (tables, code).

    Like :func:`clean_inline` but keeps line breaks: tabs become spaces,
    trailing spaces and leading/trailing blank lines are removed. Runs of
    spaces inside a line fold to one unless ``keep_spaces`` (code, where
    indentation carries meaning).
    """
    text = unicodedata.normalize("NFC", strip_controls(text))
    text = text.expandtabs(4)
    if keep_spaces:
        lines = [line.rstrip() for line in text.split("\n")]
    else:
        lines = [_SPACES.sub(" ", line).rstrip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    # Collapse runs of blank lines inside the block to a single newline: the
    # blank line is the block separator of the article text.
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(line for line in out if line)


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes. Returns (text, warning or None).

    UTF-8 (with or without BOM) first, then UTF-16 when a BOM says so, then
    cp1252, then latin-1 (which never fails).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        where = exc.start
    for enc in ("cp1252", "latin-1"):
        try:
            return data.decode(enc), f"not valid UTF-8 (byte {where}); read as {enc}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decoding cannot fail")  # pragma: no cover


def looks_binary(data: bytes) -> bool:
    """True when the bytes are clearly not text (NUL bytes or many controls)."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text has NULs
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.10
