from django_tasks import task

from . import services


@task()
def read_import(job_id):
    services.read_job(job_id)


@task()
def validate_import(job_id):
    services.validate_job(job_id)


@task()
def commit_import(job_id):
    services.commit_job(job_id)
