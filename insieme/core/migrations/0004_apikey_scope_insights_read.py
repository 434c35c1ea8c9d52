"""The API keys' Scorecard scope is called `insights:read` (issue 14): keys made with the old
name `scorecard:read` keep their access under the new one."""

from django.db import migrations

OLD, NEW = "scorecard:read", "insights:read"


def rename(apps, schema_editor, old=OLD, new=NEW):
    ApiKey = apps.get_model("core", "ApiKey")
    for key in ApiKey.objects.all().only("pk", "scopes"):
        if old in key.scopes:
            key.scopes = list(dict.fromkeys(new if s == old else s for s in key.scopes))
            key.save(update_fields=["scopes"])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_account_protection")]

    operations = [migrations.RunPython(rename, rename_back)]
