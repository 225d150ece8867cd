import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def per_school(apps, schema_editor):
    """Each school of a visit gets its own report, starting from the visit's shared text and state."""
    Visit = apps.get_model("cycle", "Visit")
    VisitSchool = apps.get_model("cycle", "VisitSchool")
    for visit in Visit.objects.prefetch_related("schools"):
        VisitSchool.objects.bulk_create(
            VisitSchool(
                visit=visit,
                school=school,
                findings=visit.findings,
                recommendations=visit.recommendations,
                follow_up_due=visit.follow_up_due,
                follow_up=visit.follow_up,
                follow_up_note=visit.follow_up_note,
            )
            for school in visit.schools.all()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cycle", "0007_visits"),
        ("schools", "0003_import_reading_step"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitSchool",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("findings", models.TextField(max_length=4000, verbose_name="findings")),
                ("recommendations", models.TextField(max_length=4000, verbose_name="recommendations")),
                ("follow_up_due", models.DateField(blank=True, null=True, verbose_name="follow-up due")),
                (
                    "follow_up",
                    models.CharField(
                        choices=[("terbuka", "open"), ("selesai", "done")],
                        default="terbuka",
                        max_length=8,
                        verbose_name="follow-up",
                    ),
                ),
                (
                    "follow_up_note",
                    models.TextField(blank=True, max_length=4000, verbose_name="follow-up done, with its evidence"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="visit_reports", to="schools.school"
                    ),
                ),
                (
                    "visit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="reports", to="cycle.visit"
                    ),
                ),
            ],
            options={"ordering": ["visit", "school__name"]},
        ),
        migrations.AddConstraint(
            model_name="visitschool",
            constraint=models.UniqueConstraint(fields=("visit", "school"), name="one_report_per_school_visit"),
        ),
        migrations.RunPython(per_school, migrations.RunPython.noop),
        migrations.RemoveField(model_name="visit", name="schools"),
        migrations.RemoveField(model_name="visit", name="findings"),
        migrations.RemoveField(model_name="visit", name="recommendations"),
        migrations.RemoveField(model_name="visit", name="follow_up_due"),
        migrations.RemoveField(model_name="visit", name="follow_up"),
        migrations.RemoveField(model_name="visit", name="follow_up_note"),
        migrations.AddField(
            model_name="visit",
            name="schools",
            field=models.ManyToManyField(
                related_name="visits", through="cycle.VisitSchool", to="schools.school", verbose_name="schools"
            ),
        ),
    ]
