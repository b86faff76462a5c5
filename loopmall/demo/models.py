from django.db import models


class DemoBuild(models.Model):
    """Marks that the demo brand was built into this database (so `loopmall demo` builds it once)."""

    seed = models.BigIntegerField()
    built_at = models.DateTimeField()
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"demo seed {self.seed} built {self.built_at:%Y-%m-%d %H:%M}"
