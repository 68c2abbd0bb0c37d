"""The site's VAPID key pair (RFC 8292): it signs every push, and browsers subscribe with its
public key. From settings, else made on first use and kept in var/ (mode 0600).

Several processes start at once (gunicorn workers, the Celery worker): the key file is written
whole under a temporary name and linked into place, which fails for all but the first, so every
process ends up with the same key and none ever reads a half-written file.
"""

import base64
import contextlib
import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

KEY_FILE = "vapid_private_key.pem"


@dataclass(frozen=True)
class VapidKeys:
    signer: Vapid  # .sign(claims) -> {"Authorization": "vapid t=...,k=..."}
    public_key: str  # the uncompressed P-256 point, base64url: applicationServerKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _public_point(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def _from_text(text: str, where: str) -> ec.EllipticCurvePrivateKey:
    """A PEM, or the base64url raw 32-byte key (what `web-push generate-vapid-keys` prints)."""
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Vapid.from_string(text.strip()).private_key
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{where}: not a VAPID private key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ImproperlyConfigured(f"{where}: a VAPID key is an EC P-256 key")
    return key


def key_file_load(path: Path) -> ec.EllipticCurvePrivateKey:
    """The key kept at `path`, made there first if there is none (once, whoever races)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            # Fails when another process made it first: its key is the one.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _from_text(path.read_text(), str(path))


@functools.lru_cache(maxsize=4)
def _keys(private: str, public: str, var_dir: Path) -> VapidKeys:
    if private:
        key = _from_text(private, "SEEDBOX_VAPID_PRIVATE_KEY")
    else:
        key = key_file_load(var_dir / KEY_FILE)
    point = _public_point(key)
    if public and public.strip().rstrip("=") != point:
        raise ImproperlyConfigured(
            "SEEDBOX_VAPID_PUBLIC_KEY is not the public key of SEEDBOX_VAPID_PRIVATE_KEY "
            f"(that is {point}); leave it out or fix it"
        )
    return VapidKeys(signer=Vapid(private_key=key), public_key=point)


def vapid_keys() -> VapidKeys:
    return _keys(
        settings.SEEDBOX_VAPID_PRIVATE_KEY,
        settings.SEEDBOX_VAPID_PUBLIC_KEY,
        Path(settings.VAR_DIR),
    )
