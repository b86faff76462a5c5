"""Demand classification: multi-label, a demand only where a need is unmet.

from loopmall.insight.classifier import get_classifier
result = get_classifier().classify(["物流很快，就是有点贵"])[0]
result.demands  # ["price"]
"""

from loopmall.insight.classifier.core import Classification, DemandClassifier, clear_cache, get_classifier

__all__ = ["Classification", "DemandClassifier", "clear_cache", "get_classifier"]
