"""Background tasks of monitoring (run by `jiuzhu db_worker`; immediately in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_screening_task(run_id: int) -> str:
    from jiuzhu.monitoring.services import screening_run_execute

    return str(screening_run_execute(run_id).status)


@task()
def run_extract_import(import_id: int) -> str:
    from jiuzhu.monitoring.services import extract_import_run

    return str(extract_import_run(import_id).status)
