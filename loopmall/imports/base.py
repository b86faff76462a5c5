"""What every importer shares: reading csv/jsonl (optionally gzipped) with line numbers, row-level
errors that name file, line and field, checking a whole file with a progress bar, looking up rows
already there by key, writing new rows in batches, and a result that reports counts.

A file is all-or-nothing: its rows are validated first; with errors and without `skip_bad` nothing from
it is written; with `skip_bad` the good rows load and the bad ones are listed.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Model
from tqdm import tqdm

SUFFIXES = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz")
BATCH = 2000
# Ids per `IN (...)` lookup: SQLite allows 999 parameters per statement.
LOOKUP_CHUNK = 900


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


def bar(
    iterable: Iterable[Any] | None = None,
    *,
    description: str,
    progress: bool,
    total: int | None = None,
    leave: bool = True,
):
    """A progress bar on stderr (nothing when `progress` is off)."""
    return tqdm(
        iterable, desc=description, total=total, unit=" rows", file=sys.stderr, disable=not progress,
        mininterval=0.5, leave=leave,
    )  # fmt: skip


def validated(
    path: Path, parse: Callable[[int, dict[str, Any]], Any], *, progress: bool = False
) -> tuple[list[Any], list[RowError]]:
    """Every row of a file through `parse(line, row)`: the rows it returned (None drops a row) and the
    errors it raised, as RowErrors naming file, line and field."""
    good: list[Any] = []
    errors: list[RowError] = []
    for line, row in bar(
        read_rows(path), description=f"{path.name}: checking", progress=progress, leave=False
    ):
        if "__error__" in row:
            errors.append(RowError(path.name, line, None, row["__error__"]))
            continue
        try:
            parsed = parse(line, row)
        except RowInvalid as exc:
            errors.append(RowError(path.name, line, exc.field, exc.message))
            continue
        if parsed is not None:
            good.append(parsed)
    return good, errors


def validate_file(
    path: Path, parse: Callable[[dict[str, Any]], Any], *, skip_bad: bool, progress: bool = False
) -> tuple[list[Any], list[RowError]]:
    """Parse every row with `parse(row) -> object` first. Bad rows raise ImportFailed unless skip_bad."""
    good, errors = validated(path, lambda _line, row: parse(row), progress=progress)
    if errors and not skip_bad:
        raise ImportFailed(errors)
    return good, errors


# -- writing ------------------------------------------------------------------------------------


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing(model: type[Model], column: str, values: Iterable[str], *fields: str) -> dict[str, Any]:
    """{value: pk (or a tuple of `fields`)} for the rows of `model` whose `column` is one of `values`."""
    found: dict[str, Any] = {}
    wanted = sorted(set(values))
    columns = (column, *(fields or ("pk",)))
    for part in chunks(wanted, LOOKUP_CHUNK):
        for row in model.objects.filter(**{f"{column}__in": part}).values_list(*columns):
            found[row[0]] = row[1] if len(row) == 2 else row[1:]
    return found


def with_prefix(model: type[Model], prefix: str, *fields: str) -> dict[str, Any]:
    """{external_id: pk (or a tuple of `fields`)} of every row imported from one source."""
    columns = ("external_id", *(fields or ("pk",)))
    rows = model.objects.filter(external_id__startswith=prefix).values_list(*columns)
    return {row[0]: (row[1] if len(row) == 2 else row[1:]) for row in rows.iterator(chunk_size=5000)}


def save_in_batches(
    model: type[Model], objects: list[Model], *, description: str, progress: bool, batch: int = BATCH
) -> None:
    with bar(None, description=description, progress=progress, total=len(objects)) as meter:
        for part in chunks(objects, batch):
            model.objects.bulk_create(part, batch_size=batch)
            meter.update(len(part))


def save_new_and_count(
    result: ImportResult,
    table: str,
    model: type[Model],
    new: list[Model],
    *,
    unchanged: int,
    progress: bool = False,
    batch: int = BATCH,
) -> None:
    """Write the rows that were not there yet and count them, with those already there, under `table`."""
    save_in_batches(model, new, description=f"{table}: writing", progress=progress, batch=batch)
    result.count(table, created=len(new), unchanged=unchanged)
