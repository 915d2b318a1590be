"""Background work (django-tasks): reading a large upload with a progress bar."""

from __future__ import annotations

from django_tasks import task


@task()
def read_import(job_id: int, attempt: int = 0) -> None:
    """Read and preview an import job's files; the job row carries the progress and the result."""
    from jixiao.web.services import run_import_preview

    run_import_preview(job_id, attempt)
