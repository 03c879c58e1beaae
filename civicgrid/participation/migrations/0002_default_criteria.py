"""The default inspection form (日常考核): five criteria, editable in the admin."""

from django.db import migrations

DEFAULT_CRITERIA = [
    ("环境卫生", "公共区域清扫保洁、垃圾清运、楼道整洁", 20, "1.00"),
    ("秩序维护", "门岗值守、车辆停放、巡逻记录", 20, "1.00"),
    ("设施设备", "电梯、消防、照明、供排水等设施维护", 20, "1.50"),
    ("绿化养护", "绿地修剪、补植、病虫害防治", 10, "0.50"),
    ("服务规范", "公示收费、报修响应、业主沟通、党建融合", 30, "1.00"),
]


def add(apps, schema_editor):
    Criterion = apps.get_model("participation", "Criterion")
    for i, (name, desc, max_score, weight) in enumerate(DEFAULT_CRITERIA, 1):
        Criterion.objects.get_or_create(
            name=name,
            defaults={"description": desc, "max_score": max_score, "weight": weight, "position": i},
        )


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
