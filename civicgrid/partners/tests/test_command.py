import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civicgrid.partners.auth import authenticate_key
from civicgrid.partners.models import ApiKey, Partner

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def run(*args) -> str:
    out = io.StringIO()
    call_command("open311_key", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_creates_the_partner_and_prints_a_working_key(tiny):
    raw = run("--name", "外卖骑手平台", "--area", tiny.street.code, "--scopes", "open311,api:read")
    partner = Partner.objects.get(name="外卖骑手平台")
    assert partner.area == tiny.street
    key = authenticate_key(raw, scope="api:read")
    assert key.partner == partner and key.scopes == ["api:read", "open311"]


def test_a_second_run_adds_a_key_to_the_same_partner(tiny):
    first = run("--name", "P", "--area", tiny.community_a.code)
    second = run("--name", "P")
    assert first != second
    assert Partner.objects.count() == 1 and ApiKey.objects.count() == 2


def test_the_area_defaults_to_the_only_county(tiny):
    run("--name", "P")
    assert Partner.objects.get().area == tiny.county


def test_expiry_days(tiny):
    run("--name", "P", "--expires-days", "30")
    assert ApiKey.objects.get().expires_at is not None


@pytest.mark.parametrize(
    "args",
    [
        ("--name", "P", "--area", "999999999999"),
        ("--name", "P", "--scopes", "open311,root"),
        ("--name", "P", "--expires-days", "0"),
    ],
)
def test_bad_arguments_fail_and_write_nothing(tiny, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiKey.objects.exists()
    assert not Partner.objects.exists()


def test_the_hyphenated_name_runs_from_python_m_civicgrid(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    py = sys.executable

    def civicgrid(*args):
        return subprocess.run(
            [py, "-m", "civicgrid", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    assert civicgrid("migrate", "-v", "0").returncode == 0
    done = civicgrid("open311-key", "--name", "P")
    assert done.returncode != 0 and "--area" in done.stderr  # no area in an empty database
    help_text = civicgrid("open311-key", "--help")
    assert help_text.returncode == 0 and "--scopes" in help_text.stdout
