"""Trust anchors for bundle verification: which signing keys a verifier accepts, learnt outside the bundle.

A bundle carries its own public key, so its signature proves only that nothing changed since *someone* signed it.
Who signed it follows only from comparing the key's fingerprint with an anchor obtained independently: a
`--vingerafdruk`, a trusted-keys file, or the JSON document an organisation publishes at WELL_KNOWN_PATH (saved to
a file). Invariant: nothing read from a bundle ever becomes an anchor.

Revocation. Without an RFC 3161 timestamp the only signing time in a bundle is the `exported_at` its signer wrote,
so a validity period stops nobody who holds the private key: a thief of a current or retired key dates a forged
bundle inside the key's period. A key the organisation fears compromised is therefore revoked (`schildwacht keys
revoke`, `revoked_at` in the published document, GELDIG-TOT 'ingetrokken' in a text file), and a revoked key
vouches for no bundle at all, whatever its dates or timestamp, genuine ones included (those are exported again
with the new key). Limitation: a stolen key that nobody has revoked still signs bundles that verify (a retired
one too, dated inside its period); only a TSA timestamp, checked against a trusted CA (`--tsa-ca`), then bounds
the signing time. Revocations reach a verifier only with a fresh copy of the published document.

Trusted-keys file (text): one key per line, '#' starts a comment, blank lines are ignored:

    VINGERAFDRUK  [ORGANISATIE-ID  [GELDIG-VANAF  [GELDIG-TOT | ingetrokken  [NAAM ...]]]]

The fingerprint is 64 hex digits, optionally in groups separated by spaces or colons (as printed by Schildwacht);
'-' leaves a field open; times are ISO 8601 (a date means 00:00 UTC); 'ingetrokken' (or 'revoked') in place of
GELDIG-TOT marks the key revoked. A file that starts with '{' is read as the published JSON document instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from schildwacht.config import Settings
from schildwacht.models import Organisation
from schildwacht.models.evidence import OrganisationKey
from triage.bundle.custody import format_time
from triage.bundle.keys import format_fingerprint

WELL_KNOWN_PATH = "/.well-known/schildwacht-keys"
DOCUMENT_FORMAT = "schildwacht-keys/1"
_HEX_GROUP = re.compile(r"[0-9A-Fa-f:]+")
_REVOKED_WORDS = ("ingetrokken", "revoked")


class TrustProblem(ValueError):
    """A trust anchor cannot be read, or the bundle's signer does not match one (Dutch / English)."""


@dataclass(frozen=True)
class TrustedKey:
    """One signing key known to the verifier. Open fields (None) are not checked; a revoked key vouches for no
    bundle (see the module docstring)."""

    fingerprint: str  # 64 lower-case hex digits
    organisation_id: str | None = None
    organisation_name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked: bool = False


def published_keys_url(settings: Settings) -> str:
    """Where this installation publishes its organisations' keys."""
    return settings.public_base_url.rstrip("/") + WELL_KNOWN_PATH


def normalise_fingerprint(text: str) -> str:
    """64 lower-case hex digits from a fingerprint written with or without spaces/colons; TrustProblem otherwise."""
    digits = re.sub(r"[\s:]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise TrustProblem(f"{text!r} is geen vingerafdruk (64 hexadecimale tekens) / not a fingerprint")
    return digits


def _time(text: str | None) -> datetime | None:
    if text in (None, "", "-"):
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TrustProblem(f"{text!r} is geen tijdstip (ISO 8601) / not a time") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _parse_line(line: str) -> TrustedKey:
    tokens, digits = line.split(), ""
    while tokens and len(digits) < 64 and _HEX_GROUP.fullmatch(tokens[0]):
        digits += tokens.pop(0).replace(":", "")
    if len(digits) != 64:
        raise TrustProblem(
            "begint niet met een vingerafdruk van 64 hexadecimale tekens "
            "/ does not start with a 64-hex-digit fingerprint"
        )
    organisation, valid_from, valid_until, *name = tokens + ["-"] * max(0, 3 - len(tokens))
    revoked = valid_until.lower() in _REVOKED_WORDS
    return TrustedKey(
        fingerprint=normalise_fingerprint(digits),
        organisation_id=None if organisation == "-" else organisation,
        organisation_name=" ".join(name) or None,
        valid_from=_time(valid_from),
        valid_until=None if revoked else _time(valid_until),
        revoked=revoked,
    )


def _parse_document(document: object) -> list[TrustedKey]:
    if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
        raise TrustProblem(f"geen {DOCUMENT_FORMAT}-document / not a published keys document")
    try:
        return [
            TrustedKey(
                fingerprint=normalise_fingerprint(key["fingerprint"]),
                organisation_id=org["id"],
                organisation_name=org.get("name"),
                valid_from=_time(key.get("valid_from")),
                valid_until=_time(key.get("valid_until")),
                revoked=_time(key.get("revoked_at")) is not None,
            )
            for org in document["organisations"]
            for key in org["keys"]
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise TrustProblem(f"onvolledig {DOCUMENT_FORMAT}-document / incomplete document ({exc!r})") from exc


def parse_trusted_keys(text: str) -> list[TrustedKey]:
    """The keys of a trusted-keys file or a published JSON document; TrustProblem names the first bad line."""
    if text.lstrip().startswith("{"):
        try:
            return _parse_document(json.loads(text))
        except ValueError as exc:
            raise TrustProblem(f"onleesbaar JSON-document / unreadable JSON ({exc})") from exc
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            found.append(_parse_line(line))
        except TrustProblem as exc:
            raise TrustProblem(f"regel {number} / line {number}: {exc}") from exc
    if not found:
        raise TrustProblem("bevat geen enkele sleutel / contains no key")
    return found


def load_trusted_keys(path: Path) -> list[TrustedKey]:
    """`parse_trusted_keys` of a file; an unreadable file is a TrustProblem too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrustProblem(f"{path}: onleesbaar / unreadable ({exc})") from exc
    try:
        return parse_trusted_keys(text)
    except TrustProblem as exc:
        raise TrustProblem(f"{path}: {exc}") from exc


def match_signer(
    anchors: list[TrustedKey], fingerprint: str, organisation_id: str, signed_at: list[datetime]
) -> TrustedKey:
    """The anchor that vouches for this signer: same fingerprint, not revoked by any anchor, same organisation
    (where the anchor names one), valid at every given signing time (where the anchor has a period). TrustProblem
    says why none does."""
    same_key = [a for a in anchors if a.fingerprint == fingerprint]
    if not same_key:
        raise TrustProblem(
            f"ondertekend met een andere sleutel ({format_fingerprint(fingerprint)}) dan de "
            "vertrouwde / signed by a key that is not trusted"
        )
    if any(a.revoked for a in same_key):
        raise TrustProblem(
            f"de sleutel ({format_fingerprint(fingerprint)}) is ingetrokken (mogelijk in verkeerde "
            "handen): vertrouw geen enkele bundel die ermee is ondertekend en vraag de organisatie "
            "om een nieuwe export / key revoked (compromised): no bundle it signed can be trusted"
        )
    same_org = [a for a in same_key if a.organisation_id in (None, organisation_id)]
    if not same_org:
        raise TrustProblem(
            f"de sleutel is vertrouwd voor een andere organisatie ({same_key[0].organisation_id}), "
            f"niet voor {organisation_id} / key trusted for another organisation"
        )
    for anchor in same_org:
        if all(
            (anchor.valid_from is None or anchor.valid_from <= at)
            and (anchor.valid_until is None or at <= anchor.valid_until)
            for at in signed_at
        ):
            return anchor
    times = ", ".join(format_time(at) for at in signed_at)
    raise TrustProblem(
        f"de sleutel was bij ondertekening ({times}) niet geldig volgens de vertrouwde sleutels "
        "/ key not valid at signing time"
    )


def _key_rows(session: Session) -> Sequence[Row[OrganisationKey, str]]:
    return session.execute(
        select(OrganisationKey, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationKey.organisation_id)
        .order_by(OrganisationKey.organisation_id, OrganisationKey.valid_from)
    ).all()


def registered_keys(session: Session) -> list[TrustedKey]:
    """Every key on record in this installation's database, with its organisation, validity and revocation."""
    return [
        TrustedKey(
            fingerprint=key.fingerprint,
            organisation_id=key.organisation_id,
            organisation_name=name,
            valid_from=key.valid_from,
            valid_until=key.valid_until,
            revoked=key.revoked_at is not None,
        )
        for key, name in _key_rows(session)
    ]


def published_document(session: Session) -> dict:
    """The public keys document: per organisation that has keys, its id, name and every key (current, retired
    and revoked, so old bundles stay verifiable and revoked keys stay refused) with fingerprint, public key,
    validity and revocation time. No case data, no revocation reason."""
    organisations: dict[str, dict] = {}
    for key, name in _key_rows(session):
        org = organisations.setdefault(key.organisation_id, {"id": key.organisation_id, "name": name, "keys": []})
        org["keys"].append(
            {
                "algorithm": key.algorithm,
                "fingerprint": key.fingerprint,
                "fingerprint_grouped": format_fingerprint(key.fingerprint),
                "public_key_pem": key.public_key_pem,
                "valid_from": format_time(key.valid_from),
                "valid_until": format_time(key.valid_until) if key.valid_until else None,
                "revoked_at": format_time(key.revoked_at) if key.revoked_at else None,
            }
        )
    return {"format": DOCUMENT_FORMAT, "organisations": list(organisations.values())}
