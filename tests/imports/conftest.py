import shutil
from pathlib import Path

import pytest
from import_helpers import FIXTURES


@pytest.fixture
def bundle_dir(tmp_path) -> Path:
    """A writable copy of the fixture bundle, so a test can break or compress one file."""
    target = tmp_path / "bundle"
    shutil.copytree(FIXTURES / "bundle", target)
    return target
