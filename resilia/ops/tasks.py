"""The report job's task (idempotent: resilia.site.tasks declares it so)."""

from __future__ import annotations

from django_tasks import task

from resilia.core.context import request_context


@task()
def report_job_render(job_id: int) -> dict:
    """Render one report job and store its file; a finished job is left alone."""
    from resilia.ops.services import report_job_run

    with request_context(source="task"):
        return report_job_run(job_id=job_id)
