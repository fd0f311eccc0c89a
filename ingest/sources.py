"""Reading a source file: size, binary and encoding checks, decoding."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from policykg import settings
from policykg.errors import SourceFileError

ENCODINGS = ("utf-8-sig", "gb18030", "big5")


@dataclass(frozen=True)
class Source:
    path: Path
    text: str
    sha256: str
    encoding: str


def read_source(path: Path) -> Source:
    """Read and decode one file, or raise SourceFileError with a reason a person can act on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(f"{path}: no such file", path=path) from None
    except IsADirectoryError:
        raise SourceFileError(f"{path}: is a directory; pass files or use a folder path", path=path) from None
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
    limit = int(settings.get("max_file_bytes"))  # type: ignore[arg-type]
    if len(data) > limit:
        raise SourceFileError(
            f"{path}: {len(data):,} bytes is larger than the limit of {limit:,} bytes "
            f"(set POLICYKG_MAX_FILE_BYTES to raise it)",
            path=path,
        )
    if not data.strip():
        raise SourceFileError(f"{path}: the file is empty", path=path)
    if b"\x00" in data[:8192]:
        raise SourceFileError(f"{path}: looks like a binary file (NUL bytes), not a text document", path=path)
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_cjk_or_ascii(text):
            return Source(path, text.replace("\r\n", "\n").replace("\r", "\n"), hashlib.sha256(data).hexdigest(), encoding)
    raise SourceFileError(
        f"{path}: cannot decode as UTF-8, GB18030 or Big5; convert it to UTF-8 and try again", path=path
    )


def _mostly_cjk_or_ascii(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    good = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good / len(sample) > 0.9
