"""Plan KPIs another app measures: the app registers a provider here, the scorecard asks for it.

An app (insight, profiles) calls `register_kpi_provider("<app label>", "<dotted path>")` in its
AppConfig.ready(). The provider is called as `provider(key=..., start=..., end=...)` with UTC-aware times
and returns a number or None (no data yet). A dotted path is imported on first use only, so registering
costs nothing at start-up even when the provider's module loads heavy libraries (NLP models).

This module imports nothing but the standard library and Django's `import_string`, so any app may import
it from its `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils.module_loading import import_string

KpiProvider = Callable[..., float | None]

_providers: dict[str, KpiProvider | str] = {}


def register_kpi_provider(source: str, provider: KpiProvider | str) -> None:
    """Make `provider` (a callable or its dotted path) answer the KPIs whose source is `source`."""
    _providers[source] = provider


def unregister_kpi_provider(source: str) -> None:
    _providers.pop(source, None)


def kpi_provider(source: str) -> KpiProvider | None:
    """The provider registered for `source`, imported if it was given as a dotted path; None if none."""
    provider = _providers.get(source)
    if isinstance(provider, str):
        provider = import_string(provider)
        _providers[source] = provider
    return provider


def kpi_value_from_provider(*, source: str, key: str, start: datetime, end: datetime) -> float | None:
    """The value `source`'s provider gives for `key` over [start, end), or None when no provider is
    registered or it has no value. Raises what the provider raises (the caller decides how to recover)."""
    provider = kpi_provider(source)
    if provider is None:
        return None
    value = provider(key=key, start=start, end=end)
    return None if value is None else float(value)
