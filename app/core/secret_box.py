"""Small secrets kept encrypted at rest, with keys derived from SECRET_KEY.

`cryptography` is not among the locked dependencies, so this is built from the standard
library alone, as encrypt-then-MAC: HMAC-SHA256 in counter mode over a random 16-byte nonce
is the keystream (HMAC is a pseudo-random function, so this is a stream cipher), and an
HMAC-SHA256 tag over the version, the nonce, what the secret belongs to and the ciphertext
is checked, in constant time, before anything is decrypted. The two keys are derived from
SECRET_KEY with HMAC and distinct labels, so neither is SECRET_KEY itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from app.core.config import get_settings

_VERSION = b"\x01"
_NONCE_BYTES = 16
_TAG_BYTES = 32


class SecretUnreadable(ValueError):
    """The sealed text was not made with this SECRET_KEY for this purpose, or was altered."""


def _keys(purpose: str, secret_key: str | None) -> tuple[bytes, bytes]:
    root = (secret_key if secret_key is not None else get_settings().secret_key).encode()
    encryption = hmac.new(root, f"alliance87 {purpose} encryption".encode(), hashlib.sha256)
    authentication = hmac.new(root, f"alliance87 {purpose} mac".encode(), hashlib.sha256)
    return encryption.digest(), authentication.digest()


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
              for counter in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _tag(key: bytes, nonce: bytes, context: str, ciphertext: bytes) -> bytes:
    message = _VERSION + nonce + hashlib.sha256(context.encode()).digest() + ciphertext
    return hmac.new(key, message, hashlib.sha256).digest()


def seal(plaintext: str, *, purpose: str, context: str, secret_key: str | None = None) -> str:
    """Encrypt `plaintext` for `purpose`, bound to `context` (say, an account's id)."""
    encryption, authentication = _keys(purpose, secret_key)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    data = plaintext.encode()
    ciphertext = bytes(a ^ b for a, b in zip(data, _keystream(encryption, nonce, len(data)),
                                             strict=True))
    sealed = _VERSION + nonce + ciphertext + _tag(authentication, nonce, context, ciphertext)
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def unseal(sealed: str, *, purpose: str, context: str, secret_key: str | None = None) -> str:
    """Decrypt what `seal` made, or raise SecretUnreadable."""
    encryption, authentication = _keys(purpose, secret_key)
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except ValueError:
        raise SecretUnreadable(purpose) from None
    if len(raw) < 1 + _NONCE_BYTES + _TAG_BYTES or raw[:1] != _VERSION:
        raise SecretUnreadable(purpose)
    nonce, ciphertext, tag = raw[1:1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES:-_TAG_BYTES], \
        raw[-_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(authentication, nonce, context, ciphertext)):
        raise SecretUnreadable(purpose)
    data = bytes(a ^ b for a, b in zip(ciphertext, _keystream(encryption, nonce,
                                                              len(ciphertext)), strict=True))
    return data.decode()
