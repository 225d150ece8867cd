from django_tasks import task

from . import certificates, effect, events


@task()
def import_participants(job_id):
    events.run_import_job(job_id)


@task()
def generate_certificates(event_id, site=None):
    certificates.generate(event_id, site)


@task()
def refresh_effect(cohort_id):
    return effect.refresh(cohort_id)
