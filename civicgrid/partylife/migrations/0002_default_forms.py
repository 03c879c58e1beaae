from django.db import migrations


def load(apps, schema_editor):
    from civicgrid.partylife.defaults import load_default_forms

    load_default_forms(apps.get_model("partylife", "EvaluationForm"),
                       apps.get_model("partylife", "EvaluationCriterion"))


class Migration(migrations.Migration):
    dependencies = [("partylife", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
