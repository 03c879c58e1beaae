import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civicgrid.demo.logins import DEMO_USERS
from civicgrid.geo.models import Area
from civicgrid.people.models import Resident

ROOT = Path(__file__).resolve().parents[3]


def test_demo_command_prints_logins_and_if_empty_skips_the_second_time(db):
    out = StringIO()
    call_command("demo", scale="tiny", seed=3, verbosity=0, stdout=out)
    text = out.getvalue()
    for username, _role in DEMO_USERS:
        assert username in text
    assert "civicgrid-demo" in text and "otpauth://totp/" in text
    areas, residents = Area.objects.count(), Resident.objects.count()
    again = StringIO()
    call_command("demo", scale="tiny", seed=3, if_empty=True, verbosity=0, stdout=again)
    assert "跳过" in again.getvalue() and "demo_admin" in again.getvalue()
    assert (Area.objects.count(), Resident.objects.count()) == (areas, residents)
    with pytest.raises(CommandError):
        call_command("demo", scale="tiny", seed=3, verbosity=0, stdout=StringIO())


def test_python_m_civicgrid_and_database_url_write_to_another_database(tmp_path):
    target = tmp_path / "other.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "civicgrid",
            "demo",
            "--scale",
            "tiny",
            "--migrate",
            "--verbosity",
            "0",
            "--database-url",
            f"sqlite:///{target}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "demo_leader" in proc.stdout
    with sqlite3.connect(target) as db:
        (users,) = db.execute(
            "SELECT count(*) FROM core_user WHERE username LIKE 'demo_%'"
        ).fetchone()
        (residents,) = db.execute("SELECT count(*) FROM people_resident").fetchone()
    assert users == len(DEMO_USERS) and residents >= 160
