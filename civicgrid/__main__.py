"""`python -m civicgrid <command>`: Django's management commands without manage.py,
e.g. `python -m civicgrid demo --scale small`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `open311-key` runs the `open311_key` command
    execute_from_command_line(["civicgrid", *args])


if __name__ == "__main__":
    main()
