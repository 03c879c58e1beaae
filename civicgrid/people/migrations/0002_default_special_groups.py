from django.db import migrations

from civicgrid.people.choices import DEFAULT_SPECIAL_GROUPS


def add_groups(apps, schema_editor):
    SpecialGroup = apps.get_model("people", "SpecialGroup")
    for code, name in DEFAULT_SPECIAL_GROUPS:
        SpecialGroup.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_groups, migrations.RunPython.noop)]
