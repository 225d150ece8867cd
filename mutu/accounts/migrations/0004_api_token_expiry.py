from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def expire_existing(apps, schema_editor):
    # Tokens made before expiry existed get the default lifetime from today, not an immediate end.
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created_at"], "verbose_name": "API token"}),
        migrations.AddField(model_name="apitoken", name="hint", field=models.CharField(blank=True, max_length=8)),
        migrations.AddField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True, verbose_name="expires")
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField(verbose_name="expires")
        ),
        migrations.AddField(model_name="apitoken", name="revoked_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
