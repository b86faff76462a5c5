"""Console pages: analytics."""
