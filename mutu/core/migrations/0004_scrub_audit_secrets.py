import re

from django.db import migrations

SECRET_FIELD = re.compile(r"pass|secret|token|otp", re.IGNORECASE)


def scrub(apps, schema_editor):
    """Entries written by the admin before secrets were masked held the typed passwords: mask them."""
    AuditEntry = apps.get_model("core", "AuditEntry")
    for entry in AuditEntry.objects.filter(action__in=["admin.add", "admin.change"]).iterator():
        if isinstance(entry.changes, dict) and any(SECRET_FIELD.search(key) for key in entry.changes):
            entry.changes = {
                key: ["***", "***"] if SECRET_FIELD.search(key) else value for key, value in entry.changes.items()
            }
            entry.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_document_jobs")]
    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
