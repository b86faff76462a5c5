"""Console pages: dashboard."""
