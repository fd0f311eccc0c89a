"""Batches of files: which files a set of paths names (``collect``), what became of each
(``FileResult``) and the summary of a batch (``Summary``). Storing them is ``graph.loader``'s."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# suffixes taken when a folder is walked (a file named explicitly is always tried)
SUPPORTED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".shtml", ".pdf", ".docx"}


@dataclass
class FileResult:
    path: Path
    ok: bool
    title: str | None = None
    key: str | None = None
    measures: int = 0
    citations: int = 0
    observations: int = 0
    triples: int = 0
    seconds: float = 0.0
    error: str | None = None
    # what the store made of it (graph.identity): new | unchanged | re-extracted | replaced | edition | homonym
    status: str = "new"
    related: str | None = None  # the stored document it replaced, is an edition of or shares a title with
    note: str = ""  # that, in a sentence
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


@dataclass
class Summary:
    results: list[FileResult] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if not r.ok]

    def to_dict(self) -> dict[str, object]:
        return {"ingested": self.ok, "failed": len(self.failed), "skipped": [str(p) for p in self.skipped],
                "files": [r.to_dict() for r in self.results]}


def collect(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest from files and folders (walked recursively, hidden files left out), and
    the files of those folders skipped for their type."""
    files: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for x in sorted(p.rglob("*")):
                if not x.is_file() or any(part.startswith(".") for part in x.relative_to(p).parts):
                    continue
                (files if x.suffix.lower() in SUPPORTED_SUFFIXES else skipped).append(x)
        else:
            files.append(p)
    return files, skipped


def naming(path: Path, message: str) -> str:
    """The message, starting with the path as given (parsers name the file only)."""
    if message.startswith(str(path)):
        return message
    return f"{path}: {message.removeprefix(path.name + ': ')}"
