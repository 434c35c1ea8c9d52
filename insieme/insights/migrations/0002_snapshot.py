from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Snapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("administration_ids", models.TextField()),
                ("day", models.DateField()),
                ("language", models.CharField(max_length=10)),
                ("payload", models.JSONField()),
                ("computed_at", models.DateTimeField()),
                ("seconds", models.FloatField()),
            ],
            options={
                "indexes": [models.Index(fields=["day"], name="insights_snapshot_day")],
            },
        ),
    ]
