"""Small secrets kept encrypted at rest, with keys derived from SECRET_KEY.

AES-256-GCM from `cryptography`, the library made for this: a key per purpose derived from
SECRET_KEY with HKDF-SHA256, a random 96-bit nonce per secret, and what the secret belongs
to (say, an account's id) as associated data, so a secret copied onto another account does
not open. Any change to the sealed text, another key or another context fails the
authentication tag before anything is decrypted.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.config import get_settings

_VERSION = b"\x02"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class SecretUnreadable(ValueError):
    """The sealed text was not made with this SECRET_KEY for this purpose, or was altered."""


def _cipher(purpose: str, secret_key: str | None) -> AESGCM:
    root = (secret_key if secret_key is not None else get_settings().secret_key).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=f"alliance87 {purpose}".encode()).derive(root)
    return AESGCM(key)


def seal(plaintext: str, *, purpose: str, context: str, secret_key: str | None = None) -> str:
    """Encrypt `plaintext` for `purpose`, bound to `context` (say, an account's id)."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _cipher(purpose, secret_key).encrypt(nonce, plaintext.encode(),
                                                  _VERSION + context.encode())
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii")


def unseal(sealed: str, *, purpose: str, context: str, secret_key: str | None = None) -> str:
    """Decrypt what `seal` made, or raise SecretUnreadable."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except (ValueError, binascii.Error):
        raise SecretUnreadable(purpose) from None
    if len(raw) < 1 + _NONCE_BYTES + _TAG_BYTES or raw[:1] != _VERSION:
        raise SecretUnreadable(purpose)
    nonce, ciphertext = raw[1:1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES:]
    try:
        data = _cipher(purpose, secret_key).decrypt(nonce, ciphertext,
                                                    _VERSION + context.encode())
    except InvalidTag:
        raise SecretUnreadable(purpose) from None
    return data.decode()
