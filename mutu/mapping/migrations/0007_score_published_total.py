from bisect import bisect_left
from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models


def publish_existing(apps, schema_editor):
    """Existing rapor get their published total, and the level of that total (was: of the full one)."""
    SchoolScore = apps.get_model("mapping", "SchoolScore")
    LevelBand = apps.get_model("instruments", "LevelBand")
    uppers = {}
    for version_id, upper in LevelBand.objects.order_by("version_id", "position").values_list("version_id", "upper"):
        if upper is not None:
            uppers.setdefault(version_id, []).append(upper)
    batch = []
    rows = SchoolScore.objects.filter(total__isnull=False).select_related("round").only("total", "round__instrument_id")
    for score in rows.iterator(chunk_size=2000):
        shown = float(Decimal(repr(score.total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        score.total_published = shown
        score.level = bisect_left(uppers.get(score.round.instrument_id, []), shown)
        batch.append(score)
        if len(batch) == 2000:
            SchoolScore.objects.bulk_update(batch, ["total_published", "level"])
            batch = []
    SchoolScore.objects.bulk_update(batch, ["total_published", "level"])


class Migration(migrations.Migration):
    dependencies = [
        ("mapping", "0006_scoring_run"),
        ("instruments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="schoolscore", name="total_published", field=models.FloatField(null=True)),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
