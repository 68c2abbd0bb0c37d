"""The site's VAPID key pair: from settings (PEM or raw base64url), or made once in var/ with
mode 0600 even when several processes start at once."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

from notifications.checks import check_vapid_keys
from notifications.vapid import b64url, key_file_load, vapid_keys


def _public_of(path) -> str:
    key = key_file_load(path)
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


@pytest.fixture(autouse=True)
def _no_configured_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SEEDBOX_VAPID_PRIVATE_KEY = ""
    settings.SEEDBOX_VAPID_PUBLIC_KEY = ""


# One process of a site starting: it waits for the start signal, then loads (or makes) the key.
_STARTING = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from notifications.tests.test_vapid import _public_of
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
print(_public_of(Path(sys.argv[1])))
"""


def test_several_processes_starting_at_once_make_one_key(tmp_path):
    """Separate interpreters, not forks of this one (a fork of the test process, which runs
    threads, can inherit a lock held by one of them and hang)."""
    path = tmp_path / "var" / "vapid_private_key.pem"
    go = tmp_path / "go"
    root = str(Path(__file__).resolve().parents[2])
    command = [sys.executable, "-c", _STARTING, str(path), str(go), root]
    starting = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ})
        for _ in range(6)
    ]
    go.touch()
    publics = [process.communicate(timeout=60)[0].strip() for process in starting]
    assert [process.returncode for process in starting] == [0] * 6
    assert len(set(publics)) == 1
    assert publics[0]
    assert os.listdir(path.parent) == ["vapid_private_key.pem"]  # no temporary file left
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _public_of(path) == publics[0]  # kept: the next start reads the same key


def test_the_kept_key_is_what_browsers_subscribe_with(tmp_path):
    keys = vapid_keys()
    assert keys.public_key == _public_of(tmp_path / "vapid_private_key.pem")
    assert vapid_keys() is keys  # read once per process


def _raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def test_a_key_from_the_settings_as_pem_or_raw(settings, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    public = b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.SEEDBOX_VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert vapid_keys().public_key == public
    settings.SEEDBOX_VAPID_PRIVATE_KEY = _raw_private(key)
    settings.SEEDBOX_VAPID_PUBLIC_KEY = public
    assert vapid_keys().public_key == public
    assert list(tmp_path.iterdir()) == []  # nothing made in var/


def test_a_wrong_public_or_private_key_is_a_clear_error(settings):
    settings.SEEDBOX_VAPID_PRIVATE_KEY = _raw_private(ec.generate_private_key(ec.SECP256R1()))
    settings.SEEDBOX_VAPID_PUBLIC_KEY = _public_of_new_key()
    with pytest.raises(ImproperlyConfigured, match="is not the public key"):
        vapid_keys()
    settings.SEEDBOX_VAPID_PUBLIC_KEY = ""
    settings.SEEDBOX_VAPID_PRIVATE_KEY = "not a key"
    with pytest.raises(ImproperlyConfigured, match="not a VAPID private key"):
        vapid_keys()


def _public_of_new_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def test_a_bad_key_fails_the_system_check(settings, tmp_path):
    assert check_vapid_keys(None) == []
    assert (tmp_path / "vapid_private_key.pem").exists()  # made at start, not at first push
    settings.SEEDBOX_VAPID_PUBLIC_KEY = _public_of_new_key()
    (error,) = check_vapid_keys(None)
    assert error.id == "notifications.E001"
    assert "is not the public key" in error.msg
