"""Organisation signing keys (Ed25519): generate, rotate, export the public half, load for signing.

The private key is a PKCS#8 PEM file in the key directory (settings.key_dir, default data_dir/keys), mode 0600,
encrypted when settings.key_passphrase is set. Only the public key, its fingerprint and validity go into the
database and into bundles.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from triage.models import Organisation
from triage.models.base import utcnow
from triage.models.evidence import OrganisationKey


class KeyProblem(RuntimeError):
    """A key operation is not possible; the message says why (Dutch / English)."""


def key_dir(settings: Settings) -> Path:
    return settings.key_dir or settings.data_dir / "keys"


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """Hex sha256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def format_fingerprint(fp: str) -> str:
    """Groups of four for reading aloud or comparing by eye."""
    return " ".join(fp[i:i + 4] for i in range(0, len(fp), 4))


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_pem(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem("publieke sleutel is geen Ed25519 / public key is not Ed25519")
    return key


def current_key(session: Session, organisation_id: str) -> OrganisationKey | None:
    return session.scalars(select(OrganisationKey).where(OrganisationKey.organisation_id == organisation_id,
                                                         OrganisationKey.valid_until.is_(None))).first()


def _private_path(settings: Settings, organisation_id: str, fp: str) -> Path:
    return key_dir(settings) / f"{organisation_id}-{fp[:16]}.key"


def _write_private(path: Path, key: Ed25519PrivateKey, passphrase: str | None) -> None:
    encryption = (serialization.BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def _create(session: Session, settings: Settings, organisation_id: str, actor: str) -> OrganisationKey:
    if session.get(Organisation, organisation_id) is None:
        raise KeyProblem(f"organisatie {organisation_id!r} bestaat niet / unknown organisation")
    private = Ed25519PrivateKey.generate()
    fp = fingerprint(private.public_key())
    _write_private(_private_path(settings, organisation_id, fp), private, settings.key_passphrase)
    row = OrganisationKey(organisation_id=organisation_id, public_key_pem=public_pem(private.public_key()),
                          fingerprint=fp, valid_from=utcnow(), created_by=actor)
    session.add(row)
    session.flush()
    return row


def generate(session: Session, settings: Settings, organisation_id: str, actor: str) -> OrganisationKey:
    """First key of an organisation; refuses when one is current (use rotate)."""
    if current_key(session, organisation_id) is not None:
        raise KeyProblem(f"{organisation_id} heeft al een sleutel; gebruik 'keys rotate' / key exists, use rotate")
    return _create(session, settings, organisation_id, actor)


def rotate(session: Session, settings: Settings, organisation_id: str, actor: str) -> OrganisationKey:
    """Retire the current key (its public half stays on record for old bundles) and create a new one."""
    old = current_key(session, organisation_id)
    if old is not None:
        old.valid_until = utcnow()
        session.flush()
    return _create(session, settings, organisation_id, actor)


def signing_key(session: Session, settings: Settings, organisation_id: str) -> tuple[Ed25519PrivateKey,
                                                                                      OrganisationKey]:
    """The current private key and its record; raises KeyProblem when absent or not matching the record."""
    row = current_key(session, organisation_id)
    if row is None:
        raise KeyProblem(f"geen sleutel voor {organisation_id}; maak er een met 'schildwacht keys generate "
                        f"{organisation_id}' / no signing key, generate one first")
    path = _private_path(settings, organisation_id, row.fingerprint)
    if not path.exists():
        raise KeyProblem(f"privésleutel ontbreekt in {path.parent} / private key file missing")
    password = settings.key_passphrase.encode("utf-8") if settings.key_passphrase else None
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=password)
    except (TypeError, ValueError) as exc:
        raise KeyProblem(f"privésleutel niet te openen (wachtwoord?) / cannot open private key: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey) or fingerprint(private.public_key()) != row.fingerprint:
        raise KeyProblem("privésleutel hoort niet bij de geregistreerde publieke sleutel / key mismatch")
    return private, row
