"""The signed evidence bundle of a case as a download, for the case page and the API alike."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

from fastapi.responses import FileResponse
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from schildwacht.config import Settings
from schildwacht.models import StaffUser
from triage.web import casework
from triage.web.errors import NotFound


def bundle_available() -> bool:
    try:
        return importlib.util.find_spec("triage.bundle.export") is not None
    except ModuleNotFoundError:
        return False


def bundle_response(session: Session, user: StaffUser, settings: Settings, case_id: int) -> FileResponse:
    """Export the bundle into a private temporary directory and stream it; the directory goes once it is sent."""
    if not bundle_available():
        raise NotFound("De bewijsbundel is in deze installatie niet beschikbaar.")
    casework.get_case(session, user, case_id)
    workdir = Path(tempfile.mkdtemp(prefix="schildwacht-bundle-"))
    try:
        path = casework.export_bundle(session, user, settings, case_id, workdir / f"bewijsbundel-zaak-{case_id}.zip")
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, workdir, ignore_errors=True),
    )
