"""What every importer shares: reading csv/jsonl (optionally gzipped) with line numbers, row-level
errors that name file, line and field, and a result that reports counts.

A file is all-or-nothing: its rows are validated first; with errors and without `skip_bad` nothing from
it is written; with `skip_bad` the good rows load and the bad ones are listed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RowInvalid(ValueError):
    """Raised by a row parser; the reader adds file and line."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ImportFailed(Exception):
    """A file had bad rows and was not loaded (nothing from it was written)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} bad row(s), nothing from the file was loaded:\n{shown}{more}")


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    skipped: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, table: str, *, created: int = 0, unchanged: int = 0) -> None:
        self.created[table] = self.created.get(table, 0) + created
        self.unchanged[table] = self.unchanged.get(table, 0) + unchanged

    def summary(self) -> str:
        tables = sorted(set(self.created) | set(self.unchanged))
        lines = [
            f"  {t}: {self.created.get(t, 0)} new, {self.unchanged.get(t, 0)} already there" for t in tables
        ]
        lines += [f"  note: {note}" for note in self.notes]
        if self.skipped:
            lines.append(f"  skipped {len(self.skipped)} bad row(s):")
            lines += [f"    {e}" for e in self.skipped[:50]]
        return "\n".join(lines)


def find_file(directory: Path, stem: str) -> Path | None:
    """The file for `stem` in a bundle directory, whichever of the allowed suffixes it has."""
    for suffix in SUFFIXES:
        candidate = directory / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    return None


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, row) from a csv or jsonl file. CSV line numbers count the header as line 1
    and follow quoted newlines; a jsonl line that is not an object raises RowInvalid via the caller."""
    name = path.name
    with _open_text(path) as handle:
        if ".jsonl" in name:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not valid JSON: {exc.msg} at column {exc.colno}"}
                    continue
                if not isinstance(row, dict):
                    yield number, {"__error__": "each line must be a JSON object"}
                    continue
                yield number, row
        else:
            reader = csv.DictReader(handle)
            for row in reader:
                if None in row:
                    yield reader.line_num, {"__error__": "more values than header columns"}
                    continue
                yield reader.line_num, row


def require(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowInvalid(column, "is required")
    return str(value).strip()


def validate_file(path: Path, parse, *, skip_bad: bool) -> tuple[list[Any], list[RowError]]:
    """Parse every row with `parse(row) -> object` first. Bad rows raise ImportFailed unless skip_bad."""
    good: list[Any] = []
    errors: list[RowError] = []
    for line, row in read_rows(path):
        if "__error__" in row:
            errors.append(RowError(path.name, line, None, row["__error__"]))
            continue
        try:
            good.append(parse(row))
        except RowInvalid as exc:
            errors.append(RowError(path.name, line, exc.field, exc.message))
    if errors and not skip_bad:
        raise ImportFailed(errors)
    return good, errors
