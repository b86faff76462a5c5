"""`loopmall insight classify --input IN.jsonl --output OUT.jsonl [--skip-bad]` (data contract).

Input lines: {"id": ..., "text": ...} with optional "lang", "channel", "rating".
Output lines: {"id": ..., "demands": [codes], "scores": {code: 0..1}}, in input order.

Streams in batches, so memory stays flat however long the file is; a progress bar goes to stderr.
The output is written to a temporary file next to OUT and renamed at the end: a malformed line stops
the run with its line number and leaves OUT untouched, unless --skip-bad skips and lists such lines.
An empty or blank line is such a malformed line: it has no id, so it cannot keep its place in the output.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import CommandError

help = "Classify feedback texts into demand codes (JSONL in, JSONL out)."

MAX_LISTED = 50


class BadLine(ValueError):
    pass


def add_arguments(parser) -> None:
    parser.add_argument(
        "--input", required=True, help="JSONL file, one feedback object a line ('-' for stdin)"
    )
    parser.add_argument("--output", required=True, help="JSONL file to write (replaced only on success)")
    parser.add_argument("--skip-bad", action="store_true", help="skip malformed lines and list them")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--lexicon-only", action="store_true", help="lexicon rules only, no learned model")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_line(line: str) -> dict:
    """The feedback object of one input line, or BadLine naming what is wrong."""
    # Drop the line terminator first: left in, JSON errors at the end of the line would be reported
    # at "line 2, column 1" of the text instead of the column where the line really went wrong.
    line = line.rstrip("\r\n")
    if not line.strip():
        raise BadLine("empty line")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise BadLine(f"expected a JSON object, got {type(item).__name__}")
    if "id" not in item:
        raise BadLine("id: missing")
    if item["id"] is None or isinstance(item["id"], bool | dict | list):
        raise BadLine("id: must be a string or a number")
    if "text" not in item:
        raise BadLine("text: missing")
    if not isinstance(item["text"], str):
        raise BadLine("text: must be a string")
    for name in ("lang", "channel"):
        if item.get(name) is not None and not isinstance(item[name], str):
            raise BadLine(f"{name}: must be a string")
    rating = item.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int | float) or not 1 <= rating <= 5
    ):
        raise BadLine("rating: must be a number from 1 to 5")
    return item


def _open_input(path: str):
    if path == "-":
        return sys.stdin, None
    source = Path(path)
    if not source.is_file():
        raise CommandError(f"input: {path} is not a file")
    return source.open(encoding="utf-8", newline=""), source.stat().st_size


def run(options: dict, *, stdout, stderr) -> None:
    from tqdm import tqdm

    from loopmall.insight.classifier import DemandClassifier, get_classifier

    batch_size = max(1, int(options.get("batch_size") or 512))
    output = Path(options["output"])
    if output.exists() and output.is_dir():
        raise CommandError(f"output: {output} is a folder")
    if not output.parent.exists():
        raise CommandError(f"output: folder {output.parent} does not exist")
    classifier = DemandClassifier() if options.get("lexicon_only") else get_classifier()
    handle, size = _open_input(options["input"])
    skipped: list[str] = []
    written = 0
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".part", dir=output.parent
    )
    temporary = Path(temporary_name)
    progress = tqdm(
        total=size, unit="B", unit_scale=True, desc="classify", file=sys.stderr,
        disable=bool(options.get("no_progress")), mininterval=0.5,
    )  # fmt: skip
    try:
        with handle, os.fdopen(descriptor, "w", encoding="utf-8") as sink:
            batch: list[dict] = []

            def flush() -> int:
                results = classifier.classify(
                    [item["text"] for item in batch], [item.get("lang") for item in batch]
                )
                for item, result in zip(batch, results, strict=True):
                    sink.write(
                        json.dumps(
                            {"id": item["id"], "demands": result.demands, "scores": result.scores},
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
                count = len(batch)
                batch.clear()
                return count

            for number, line in enumerate(handle, start=1):
                progress.update(len(line.encode("utf-8")))
                try:
                    batch.append(parse_line(line))
                except BadLine as exc:
                    message = f"line {number}: {exc}"
                    if not options.get("skip_bad"):
                        raise CommandError(
                            f"{message} (nothing written; use --skip-bad to skip bad lines)"
                        ) from None
                    skipped.append(message)
                    continue
                if len(batch) >= batch_size:
                    written += flush()
            if batch:
                written += flush()
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        progress.close()
    stderr.write(f"classified {written} lines into {output} ({classifier.describe()['mode']})")
    if skipped:
        stderr.write(f"skipped {len(skipped)} bad lines:")
        for message in skipped[:MAX_LISTED]:
            stderr.write(f"  {message}")
        if len(skipped) > MAX_LISTED:
            stderr.write(f"  ... and {len(skipped) - MAX_LISTED} more")
