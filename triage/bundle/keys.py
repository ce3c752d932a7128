"""Organisation signing keys (Ed25519): generate, rotate, revoke, export the public half, load for signing.

The private key is a PKCS#8 PEM file in the key directory (settings.key_dir, default data_dir/keys), mode 0600,
encrypted with the passphrase from settings.key_passphrase_file (a compose secret) or settings.key_passphrase.
Production commands call `require_protected_keys` first: they refuse to create or use an unencrypted key unless
settings.allow_unencrypted_key is set. The library itself (used by `demo` and tests) only warns. Only the public
key, its fingerprint and validity go into the database and into bundles.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Organisation
from schildwacht.models.base import utcnow
from schildwacht.models.evidence import OrganisationKey
from triage import audit

log = logging.getLogger(__name__)

UNPROTECTED_WARNING = (
    "privésleutel wordt ONVERSLEUTELD bewaard; alleen voor ontwikkeling / private signing key "
    "stored UNENCRYPTED, for development only"
)


class KeyProblem(RuntimeError):
    """A key operation is not possible; the message says why (Dutch / English)."""


def passphrase(settings: Settings) -> bytes | None:
    """The key passphrase: the first line of settings.key_passphrase_file, or settings.key_passphrase; None when
    neither is set. Setting both, or an unreadable or empty file, is a KeyProblem."""
    if settings.key_passphrase_file is None:
        return settings.key_passphrase.encode("utf-8") if settings.key_passphrase else None
    if settings.key_passphrase:
        raise KeyProblem(
            "stel SCHILDWACHT_KEY_PASSPHRASE_FILE of SCHILDWACHT_KEY_PASSPHRASE in, niet beide "
            "/ set the passphrase file or the passphrase, not both"
        )
    try:
        lines = settings.key_passphrase_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyProblem(
            f"wachtwoordbestand {settings.key_passphrase_file} niet leesbaar / passphrase file unreadable ({exc})"
        ) from exc
    if not lines or not lines[0]:
        raise KeyProblem(f"wachtwoordbestand {settings.key_passphrase_file} is leeg / passphrase file is empty")
    return lines[0].encode("utf-8")


def require_protected_keys(settings: Settings) -> str | None:
    """For production commands that create or use a signing key: a passphrase must be configured and readable
    (KeyProblem otherwise), unless settings.allow_unencrypted_key is set. Returns the warning the command must show
    in that case, else None."""
    if passphrase(settings) is not None:
        return None
    if not settings.allow_unencrypted_key:
        raise KeyProblem(
            "geen wachtwoord voor de ondertekeningssleutel ingesteld. Zet het in een bestand en geef dat op met "
            "SCHILDWACHT_KEY_PASSPHRASE_FILE (in docker compose: het secret signing_key_passphrase); alleen voor "
            "ontwikkeling: SCHILDWACHT_ALLOW_UNENCRYPTED_KEY=true. / No signing key passphrase configured: put it "
            "in a file and set SCHILDWACHT_KEY_PASSPHRASE_FILE (compose secret signing_key_passphrase); for "
            "development only: SCHILDWACHT_ALLOW_UNENCRYPTED_KEY=true."
        )
    return f"WAARSCHUWING / WARNING: {UNPROTECTED_WARNING} (SCHILDWACHT_ALLOW_UNENCRYPTED_KEY=true)"


def key_dir(settings: Settings) -> Path:
    return settings.key_dir or settings.data_dir / "keys"


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """Hex sha256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def format_fingerprint(fp: str) -> str:
    """Groups of four for reading aloud or comparing by eye."""
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def load_public_pem(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem("publieke sleutel is geen Ed25519 / public key is not Ed25519")
    return key


def current_key(session: Session, organisation_id: str) -> OrganisationKey | None:
    return session.scalars(
        select(OrganisationKey).where(
            OrganisationKey.organisation_id == organisation_id, OrganisationKey.valid_until.is_(None)
        )
    ).first()


def _private_path(settings: Settings, organisation_id: str, fp: str) -> Path:
    return key_dir(settings) / f"{organisation_id}-{fp[:16]}.key"


def _write_private(path: Path, key: Ed25519PrivateKey, password: bytes | None) -> None:
    if password is None:
        log.warning("%s: %s", path, UNPROTECTED_WARNING)
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
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
    _write_private(_private_path(settings, organisation_id, fp), private, passphrase(settings))
    row = OrganisationKey(
        organisation_id=organisation_id,
        public_key_pem=public_pem(private.public_key()),
        fingerprint=fp,
        valid_from=utcnow(),
        created_by=actor,
    )
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


def revoke(session: Session, organisation_id: str, fp: str, actor: str, reason: str) -> OrganisationKey:
    """Mark an organisation's key (current or retired) as compromised: revoked_at is set, a current key is retired
    at the same moment (so it signs nothing more; the next export or 'keys generate' makes a new one), and the
    actor and reason go to the audit log only (the published keys show the time, not the reason). Verifiers then
    refuse every bundle the key signed (trust.match_signer). KeyProblem: no such key of this organisation, already
    revoked, or an empty reason."""
    if not reason.strip():
        raise KeyProblem("geef een reden op / a reason is required")
    row = session.scalars(
        select(OrganisationKey).where(
            OrganisationKey.organisation_id == organisation_id, OrganisationKey.fingerprint == fp
        )
    ).first()
    if row is None:
        raise KeyProblem(
            f"{organisation_id} heeft geen sleutel met vingerafdruk {format_fingerprint(fp)} "
            "/ no such key for this organisation"
        )
    if row.revoked_at is not None:
        raise KeyProblem(f"sleutel is al ingetrokken op {row.revoked_at:%Y-%m-%d %H:%M} UTC / already revoked")
    row.revoked_at = utcnow()
    row.valid_until = row.valid_until or row.revoked_at
    audit.record(
        session,
        actor=actor,
        organisation_id=organisation_id,
        action="key.revoke",
        object_type="organisation_key",
        object_id=fp,
        details={"fingerprint": fp, "reason": reason.strip()},
    )
    return row


def signing_key(
    session: Session, settings: Settings, organisation_id: str
) -> tuple[Ed25519PrivateKey, OrganisationKey]:
    """The current private key and its record; raises KeyProblem when absent or not matching the record."""
    row = current_key(session, organisation_id)
    if row is None:
        raise KeyProblem(
            f"geen sleutel voor {organisation_id}; maak er een met 'schildwacht keys generate "
            f"{organisation_id}' / no signing key, generate one first"
        )
    path = _private_path(settings, organisation_id, row.fingerprint)
    if not path.exists():
        raise KeyProblem(f"privésleutel ontbreekt in {path.parent} / private key file missing")
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=passphrase(settings))
    except TypeError as exc:
        raise KeyProblem(
            "privésleutel niet te openen: wachtwoord ontbreekt, of de sleutel is onversleuteld "
            "(vervang hem met 'schildwacht keys rotate') / cannot open private key: passphrase missing "
            f"or key not encrypted ({exc})"
        ) from exc
    except ValueError as exc:
        raise KeyProblem(f"privésleutel niet te openen (wachtwoord?) / cannot open private key: {exc}") from exc
    if not isinstance(private, Ed25519PrivateKey) or fingerprint(private.public_key()) != row.fingerprint:
        raise KeyProblem("privésleutel hoort niet bij de geregistreerde publieke sleutel / key mismatch")
    return private, row
