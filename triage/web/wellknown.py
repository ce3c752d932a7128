"""GET /.well-known/schildwacht-keys: the organisations' public signing keys, so the police can anchor trust in a
bundle outside the bundle (`schildwacht bundle verify --vertrouwde-sleutels <saved page>`).

Public by design, no login: it lists, per organisation that has a key, its id and name and every key (current and
retired) with fingerprint, public key, validity and revocation time (trust.published_document). It reveals no case
data.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from triage.bundle.trust import WELL_KNOWN_PATH, published_document
from triage.web.auth import get_db

router = APIRouter(include_in_schema=False)


@router.get(WELL_KNOWN_PATH)
def published_keys(db: Session = Depends(get_db)) -> JSONResponse:
    return JSONResponse(published_document(db))
