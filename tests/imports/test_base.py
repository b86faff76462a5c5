"""The steps every importer shares (loopmall/imports/base.py): checking a file, finding rows already
there, writing new rows in batches and counting them."""

import pytest

from loopmall.catalog.models import Category
from loopmall.imports import base
from loopmall.imports.base import ImportFailed, ImportResult, RowInvalid


def _parse(line, row):
    if row["n"] == "skip":
        return None
    if not row["n"].isdigit():
        raise RowInvalid("n", f"not a number: {row['n']!r}")
    return (line, int(row["n"]))


def test_validated_keeps_good_rows_drops_none_and_names_bad_ones(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("n\n1\nskip\ntwo\n3,4\n5\n", encoding="utf-8")
    good, errors = base.validated(path, _parse)
    assert good == [(2, 1), (6, 5)]
    assert [str(e) for e in errors] == [
        "numbers.csv:4: n: not a number: 'two'",
        "numbers.csv:5: more values than header columns",
    ]


def test_validate_file_refuses_a_file_with_bad_rows_unless_told(tmp_path):
    path = tmp_path / "numbers.jsonl"
    path.write_text('{"n": "1"}\n[1]\n', encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        base.validate_file(path, lambda row: row["n"], skip_bad=False)
    assert [str(e) for e in caught.value.errors] == ["numbers.jsonl:2: each line must be a JSON object"]
    good, errors = base.validate_file(path, lambda row: row["n"], skip_bad=True)
    assert good == ["1"]
    assert len(errors) == 1


@pytest.mark.django_db
def test_existing_looks_up_more_keys_than_one_statement_takes_and_counts_new_rows():
    wanted = [f"cat-{n}" for n in range(base.LOOKUP_CHUNK + 50)]
    Category.objects.bulk_create([Category(name=slug, slug=slug) for slug in wanted[::2]])
    there = base.existing(Category, "slug", wanted)
    assert set(there) == set(wanted[::2])
    assert there["cat-0"] == Category.objects.get(slug="cat-0").pk
    assert set(base.existing(Category, "slug", ["cat-0"], "name", "slug")["cat-0"]) == {"cat-0"}

    result = ImportResult()
    new = [Category(name=slug, slug=slug) for slug in wanted if slug not in there]
    base.save_new_and_count(result, "categories", Category, new, unchanged=len(there), batch=100)
    assert Category.objects.filter(slug__in=wanted).count() == len(wanted)
    assert result.created == {"categories": len(wanted) - len(there)}
    assert result.unchanged == {"categories": len(there)}
    assert "categories: 475 new, 475 already there" in result.summary()
