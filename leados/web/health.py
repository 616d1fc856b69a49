from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse


def healthz(request):
    """The process is up."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database answers, every migration is applied and the static files are collected."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    if pending:
        return JsonResponse(
            {"status": "unavailable", "migrations_pending": len(pending)}, status=503
        )
    if not _static_files_collected():
        return JsonResponse(
            {"status": "unavailable", "static_files": "run: leados manage collectstatic"},
            status=503,
        )
    return JsonResponse({"status": "ok"})


def _static_files_collected() -> bool:
    """With hashed file names, pages cannot render until collectstatic wrote the manifest."""
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    return manifest is None or staticfiles_storage.exists(manifest)
