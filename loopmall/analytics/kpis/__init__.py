"""KPIs against the plan: the registry (registry.py) and one Ibis expression per KPI, named after it."""

from loopmall.analytics.kpis.registry import BASELINE_WEEKS, BY_KEY, KPIS, Kpi, kpi_get

__all__ = ["BASELINE_WEEKS", "BY_KEY", "KPIS", "Kpi", "kpi_get"]
