"""`python -m civicgrid <command>`: Django's management commands without manage.py,
e.g. `python -m civicgrid demo --scale small`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civicgrid", *sys.argv[1:]])


if __name__ == "__main__":
    main()
