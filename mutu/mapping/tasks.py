from django_tasks import task

from . import services


@task()
def score_round_task(run_id):
    return services.run_scoring(run_id)
