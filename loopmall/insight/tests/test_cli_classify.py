"""`loopmall insight classify` follows the data contract (../shared/docs/data-contract.md)."""

import json
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

CODES = {
    "packaging", "logistics", "quality", "price", "mismatch", "size_fit", "function", "usability", "service",
    "eco_safety", "taste_freshness", "appearance", "scenario", "content_info",
}  # fmt: skip


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def classify(tmp_path, lines, *extra):
    source = write_lines(tmp_path / "in.jsonl", lines)
    target = tmp_path / "out.jsonl"
    call_command("insight", "classify", "--input", str(source), "--output", str(target), "--lexicon-only",
                 "--no-progress", *extra)  # fmt: skip
    return [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]


def test_contract_output(tmp_path):
    rows = classify(
        tmp_path,
        [
            json.dumps({"id": 1, "text": "物流很快，但是盒子压扁了"}, ensure_ascii=False),
            json.dumps({"id": "r-2", "text": "Runs small.", "lang": "en", "channel": "review", "rating": 3}),
            json.dumps({"id": 3, "text": "非常满意", "lang": None, "rating": None}, ensure_ascii=False),
        ],
    )
    assert [row["id"] for row in rows] == [1, "r-2", 3]
    assert [row["demands"] for row in rows] == [["packaging"], ["size_fit"], []]
    for row in rows:
        assert set(row) == {"id", "demands", "scores"}
        assert set(row["scores"]) == CODES
        assert all(0 <= score <= 1 for score in row["scores"].values())


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_blank_line_is_a_bad_line(tmp_path, blank):
    """One output line per input line: an empty line is reported by number, never dropped silently."""
    good = json.dumps({"id": 1, "text": "太贵了"}, ensure_ascii=False)
    source = write_lines(tmp_path / "in.jsonl", [good, blank, good])
    target = tmp_path / "out.jsonl"
    with pytest.raises(CommandError, match="line 2: empty line"):
        call_command("insight", "classify", "--input", str(source), "--output", str(target), "--lexicon-only",
                     "--no-progress")  # fmt: skip
    assert not target.exists()


def test_blank_lines_are_listed_with_skip_bad(tmp_path, capsys):
    good = json.dumps({"id": 1, "text": "太贵了"}, ensure_ascii=False)
    rows = classify(tmp_path, [good, "", good, "   "], "--skip-bad")
    assert [row["demands"] for row in rows] == [["price"], ["price"]]
    errors = capsys.readouterr().err
    assert "skipped 2 bad lines" in errors
    assert "line 2: empty line" in errors
    assert "line 4: empty line" in errors


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_json_error_names_the_right_column(tmp_path, ending):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id":2,"text":"bad json"' + ending, encoding="utf-8", newline="")
    with pytest.raises(
        CommandError, match=r"line 1: not valid JSON \(Expecting ',' delimiter at column 26\)"
    ):
        call_command("insight", "classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"),
                     "--lexicon-only", "--no-progress")  # fmt: skip


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 3: not valid JSON"),
        ("[1, 2]", "line 3: expected a JSON object"),
        ('{"text": "太贵了"}', "line 3: id: missing"),
        ('{"id": 7}', "line 3: text: missing"),
        ('{"id": 7, "text": 42}', "line 3: text: must be a string"),
        ('{"id": null, "text": "x"}', "line 3: id: must be a string or a number"),
        ('{"id": 7, "text": "x", "rating": 9}', "line 3: rating: must be a number from 1 to 5"),
    ],
)
def test_malformed_line_stops_and_writes_nothing(tmp_path, bad_line, message):
    good = json.dumps({"id": 1, "text": "太贵了"}, ensure_ascii=False)
    source = write_lines(tmp_path / "in.jsonl", [good, good, bad_line, good])
    target = tmp_path / "out.jsonl"
    target.write_text("previous content\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("insight", "classify", "--input", str(source), "--output", str(target), "--lexicon-only",
                     "--no-progress")  # fmt: skip
    assert target.read_text(encoding="utf-8") == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temporary file left


def test_skip_bad_skips_and_lists(tmp_path, capsys):
    good = json.dumps({"id": 1, "text": "太贵了"}, ensure_ascii=False)
    rows = classify(tmp_path, [good, "{oops", good, '{"id": 2, "text": 5}'], "--skip-bad")
    assert len(rows) == 2
    errors = capsys.readouterr().err
    assert "skipped 2 bad lines" in errors
    assert "line 2: not valid JSON" in errors
    assert "line 4: text: must be a string" in errors


def test_missing_input_names_the_field(tmp_path):
    with pytest.raises(CommandError, match="input: .* is not a file"):
        call_command("insight", "classify", "--input", str(tmp_path / "nope.jsonl"), "--output",
                     str(tmp_path / "out.jsonl"), "--no-progress")  # fmt: skip


def test_progress_bar_on_stderr(tmp_path, capsys):
    source = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "太贵了"}, ensure_ascii=False)])
    call_command("insight", "classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"),
                 "--lexicon-only")  # fmt: skip
    captured = capsys.readouterr()
    assert "classify" in captured.err
    assert "100%" in captured.err
    assert captured.out == ""


@pytest.mark.slow
def test_hundred_thousand_lines(tmp_path):
    texts = [
        "物流很快，但是盒子压扁了",
        "Runs small, but lovely",
        "质量很好，非常满意",
        "太贵了，不值这个价",
        "没坏，没漏",
    ]
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(100_000):
            handle.write(json.dumps({"id": i, "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
    target = tmp_path / "out.jsonl"
    started = time.monotonic()
    call_command("insight", "classify", "--input", str(source), "--output", str(target), "--lexicon-only",
                 "--no-progress", "--batch-size", "1000")  # fmt: skip
    elapsed = time.monotonic() - started
    count = 0
    with target.open(encoding="utf-8") as handle:
        for count, line in enumerate(handle, start=1):  # noqa: B007
            row = json.loads(line)
            assert row["id"] == count - 1
    assert count == 100_000
    assert elapsed < 600
