from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mutu.core.pdf import render_pdf
from mutu.programme import recap
from mutu.programme.models import Cohort, Event, Participant


class Command(BaseCommand):
    help = "Write the participant recap (kab/kota × role, with totals) of an event or a whole cohort."

    def add_arguments(self, parser):
        parser.add_argument("target", help="EVENT (its number) or cohort:COHORT, e.g. 12 or cohort:3")
        parser.add_argument("--attended", action="store_true", help="Count only those who attended.")
        parser.add_argument("--format", choices=["csv", "xlsx", "pdf"], default="csv")
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args, target, attended, format, out, **options):
        kind, _sep, number = target.rpartition(":")
        if not number.isdigit() or kind not in ("", "cohort", "event"):
            raise CommandError("Tulis nomor kegiatan (mis. 12) atau cohort:NOMOR (mis. cohort:3).")
        if kind == "cohort":
            cohort = Cohort.objects.filter(pk=int(number)).first()
            if cohort is None:
                raise CommandError(f"Angkatan {number} tidak ada.")
            events, title = Event.objects.filter(cohort=cohort), f"Peserta {cohort}"
        else:
            event = Event.objects.select_related("cohort").filter(pk=int(number)).first()
            if event is None:
                raise CommandError(f"Kegiatan {number} tidak ada.")
            cohort, events, title = event.cohort, Event.objects.filter(pk=event.pk), f"Peserta {event.name}"
        table = recap.build(Participant.objects.filter(event__in=events), title=title, attended=attended)
        exporter = recap.RecapExporter(table, Path(out).stem)
        if format == "pdf":
            context = {"cohort": cohort, "recap": table, "undated": recap.undated_sessions(events)}
            Path(out).write_bytes(render_pdf(None, "programme/recap_pdf.html", context))
        elif format == "xlsx":
            response = exporter.xlsx_response()
            Path(out).write_bytes(b"".join(response.streaming_content))
        else:
            response = exporter.csv_response()
            Path(out).write_bytes(
                b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in response.streaming_content)
            )
        self.stdout.write(f"{table.total} peserta di {len(table.rows)} kab/kota → {out}")
