"""The `loopmall` console command: `loopmall demo`, `loopmall serve`, `loopmall import ...` and every
Django management command (`loopmall migrate`, `loopmall createsuperuser`, ...)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loopmall.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["loopmall", *args])


if __name__ == "__main__":
    main()
