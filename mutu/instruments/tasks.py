from django_tasks import task

from . import services


@task()
def load_upload(upload_id):
    services.process_upload(upload_id)
