"""Template filters of the insight pages: stored codes and numbers shown in the viewer's language."""

from __future__ import annotations

from typing import Any

from django import template

from loopmall.insight import latent, report

register = template.Library()


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


@register.filter
def latent_title(item: Any) -> str:
    """A latent-demand hypothesis (a LatentDemand or its dict in a report) titled in the active language."""
    stored = _field(item, "title") or ""
    return latent.latent_title(_field(item, "kind") or "", _field(item, "evidence") or {}, fallback=stored)


@register.filter
def latent_evidence(item: Any) -> list[tuple[str, str]]:
    return latent.latent_evidence(_field(item, "evidence") or {})


@register.filter
def channel_label(code: str) -> str:
    """A feedback channel's name (`search_query` → 搜索结果过少); an unknown code as it is."""
    return report.channel_label(code)
