"""Serve front-end assets that arrive inside installed PyPI packages (no CDN, nothing copied into git).

`vendor/plotly.min.js` comes from the `plotly` wheel's package_data.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PACKAGE_ASSETS = {"vendor/plotly.min.js": ("plotly", "package_data/plotly.min.js")}


def _asset_path(package: str, relative: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.exists() else None


class PackageAssetFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path in PACKAGE_ASSETS:
            found = _asset_path(*PACKAGE_ASSETS[path])
            if found:
                return [str(found)] if find_all else str(found)
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name, (package, relative) in PACKAGE_ASSETS.items():
            found = _asset_path(package, relative)
            if found and found.name == Path(name).name:
                storage = FileSystemStorage(location=str(found.parent))
                storage.prefix = str(Path(name).parent)
                yield found.name, storage
