"""Console pages: profiles."""
