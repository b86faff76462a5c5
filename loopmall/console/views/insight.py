"""Console pages: insight."""
