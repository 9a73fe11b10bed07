"""Background tasks of the registry (run by `jiuzhu db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_roster_import(batch_id: int) -> str:
    from jiuzhu.registry.imports import roster_import_run

    return roster_import_run(batch_id).status
