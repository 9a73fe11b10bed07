import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_spot_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="derived_from",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="derived_cases",
                to="casework.case",
                verbose_name="分类认定来源申请",
            ),
        ),
    ]
