"""Bulk import of outside data (`loopmall import SOURCE DIR`). One module per source, sharing `base`."""
