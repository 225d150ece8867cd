from django_tasks import task

from . import services


@task(takes_context=True)
def score_part_task(context, part_id):
    return services.run_part(part_id, context.task_result.id)


@task()
def finish_scoring_task(run_id):
    return services.finish_scoring(run_id)


@task()
def refresh_regions_task(round_id, province_id):
    from .scoring import refresh_regions

    refresh_regions(round_id, province_id)


@task()
def refresh_region_progress_task(round_id, regency_ids=None):
    return services.refresh_region_progress(round_id, regency_ids)
