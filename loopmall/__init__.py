"""LoopMall: social commerce with a built-in demand-intelligence engine."""

__version__ = "0.1.0"
