from django_tasks import task

from . import services


@task()
def import_rapor(job_id):
    services.run_import_job(job_id)
