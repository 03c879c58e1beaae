import pytest
from django.core.management import call_command

from civicgrid.wishes.models import Agreement, Claim, Wish

pytestmark = pytest.mark.django_db


def test_demo_fills_once(world, capsys):
    call_command("demo_wishes", "--if-empty")
    out = capsys.readouterr().out
    assert "Wishes:" in out
    n = Wish.objects.count()
    assert n > 0 and Claim.objects.filter(status="confirmed").exists()
    assert Agreement.objects.filter(items__isnull=False).exists()
    call_command("demo_wishes", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out
    assert Wish.objects.count() == n
