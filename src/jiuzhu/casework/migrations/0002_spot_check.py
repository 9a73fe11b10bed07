from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="spot_check",
            field=models.BooleanField(default=False, verbose_name="县级入户抽查"),
        ),
        migrations.AddField(
            model_name="case",
            name="spot_check_reason",
            field=models.CharField(blank=True, max_length=100, verbose_name="抽查原因"),
        ),
    ]
