"""Load the shipped default matter catalogue (civicgrid/cases/data/catalogue.json).
Later refreshes go through `manage.py load_catalogue`, which keeps item revisions."""

import json

from django.db import migrations

from civicgrid.cases.catalogue import DEFAULT_CATALOGUE, _item_fields


def load(apps, schema_editor):
    MatterGroup = apps.get_model("cases", "MatterGroup")
    MatterItem = apps.get_model("cases", "MatterItem")
    MatterItemRevision = apps.get_model("cases", "MatterItemRevision")
    data = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    groups = {}
    for g in sorted(data["groups"], key=lambda g: (g.get("parent") is not None, g["code"])):
        groups[g["code"]] = MatterGroup.objects.create(
            code=g["code"], name=g["name"], domain=g["domain"], parent=groups.get(g.get("parent"))
        )
    for item in data["items"]:
        fields = _item_fields(item)
        obj = MatterItem.objects.create(code=item["code"], group=groups[item["group"]], domain=item["domain"], **fields)
        snapshot = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()}
        MatterItemRevision.objects.create(item=obj, revision=1, snapshot=snapshot, note="默认清单")


def unload(apps, schema_editor):
    apps.get_model("cases", "MatterItemRevision").objects.all().delete()
    apps.get_model("cases", "MatterItem").objects.all().delete()
    apps.get_model("cases", "MatterGroup").objects.filter(parent__isnull=False).delete()
    apps.get_model("cases", "MatterGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
