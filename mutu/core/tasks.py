from django_tasks import task

from . import documents


@task()
def draw_document(job_id):
    documents.draw(job_id)
