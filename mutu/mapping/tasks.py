from django_tasks import task

from . import services


@task()
def score_round_task(run_id):
    return services.run_scoring(run_id)


@task()
def refresh_regions_task(round_id, province_id):
    from .scoring import refresh_regions

    refresh_regions(round_id, province_id)
