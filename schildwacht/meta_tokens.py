"""Encryption at rest of Meta page access tokens (and of the personal link an OAuth round trip returns to).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived by HKDF-SHA256 from
`meta_token_key`, or from `secret_key` when that is unset (as the pseudonym key is). Invariants: the plaintext
never reaches the database or a log; a ciphertext made under another key does not decrypt (`TokenUnreadable`);
production commands refuse a weak `meta_token_key` (schildwacht/secret_keys.py), and `secret_key` is checked anyway.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from schildwacht.config import Settings

_INFO = b"schildwacht meta page tokens v1"


class TokenUnreadable(ValueError):
    """A stored token does not decrypt under the configured key (key changed, or the value was altered)."""


def _fernet(settings: Settings) -> Fernet:
    secret = settings.meta_token_key or settings.secret_key
    if not secret:
        raise ValueError(
            "Geen sleutel voor Meta-tokens: zet SCHILDWACHT_META_TOKEN_KEY of SCHILDWACHT_SECRET_KEY / "
            "no key for Meta tokens"
        )
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(settings: Settings, plaintext: str) -> bytes:
    """The ciphertext of `plaintext` (a fresh IV each time: equal tokens do not give equal ciphertexts)."""
    return _fernet(settings).encrypt(plaintext.encode("utf-8"))


def decrypt(settings: Settings, ciphertext: bytes) -> str:
    """The plaintext of a value made by `encrypt` under the same key."""
    try:
        return _fernet(settings).decrypt(ciphertext).decode("utf-8")
    except InvalidToken as exc:
        raise TokenUnreadable("Meta-token niet te ontsleutelen (andere sleutel?) / token does not decrypt") from exc
