from django_tasks import task

from . import scoring


@task()
def score_round_task(round_id):
    return scoring.score_round(round_id)
