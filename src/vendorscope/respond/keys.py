"""The agency's signing key: where it lives, creating it, loading it.

The key is an ordinary OpenSSH Ed25519 key pair (``signing_key`` and ``signing_key.pub``), kept by default
in the store's sidecar folder (``STORE.keys/`` next to a SQLite store, ``vendorscope.keys/`` for a server
store), or wherever ``--key`` / ``VENDORSCOPE_SIGNING_KEY`` point. When a key is there, every package is
signed; without one, packages still carry SHA256SUMS and say they are unsigned.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vendorscope.config import sidecar_folder
from vendorscope.errors import VendorscopeError
from vendorscope.respond import sshsig

ENV = "VENDORSCOPE_SIGNING_KEY"
KEY_NAME = "signing_key"


class SigningKeyError(VendorscopeError):
    """The signing key cannot be created or read."""


@dataclass(frozen=True)
class SigningKey:
    path: Path
    private: Ed25519PrivateKey
    public: sshsig.PublicKey

    def sign(self, message: bytes) -> str:
        return sshsig.sign(self.private, message)


def default_key_path(url: str) -> Path:
    """``VENDORSCOPE_SIGNING_KEY``, else the store's sidecar folder."""
    chosen = os.environ.get(ENV)
    return Path(chosen) if chosen else sidecar_folder(url, "keys") / KEY_NAME


def create_key(path: Path, signer: str, replace: bool = False) -> SigningKey:
    """Write a new key pair (private key readable by its owner only); an existing key is kept unless ``replace``."""
    try:
        sshsig.check_signer(signer)
    except sshsig.SignatureError as exc:
        raise SigningKeyError(f"--signer: {exc}") from None
    if path.exists() and not replace:
        raise SigningKeyError(f"{path}: a signing key exists already (keys show; --replace makes a new one)")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = sshsig.new_private_key()
    public = sshsig.PublicKey(private.public_key(), signer)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(sshsig.private_key_text(private))
    os.replace(tmp, path)
    _pub_path(path).write_text(public.openssh + "\n", encoding="utf-8")
    return SigningKey(path, private, public)


def load_key(path: Path) -> SigningKey:
    """The key pair at ``path``; its signer comes from the ``.pub`` file's comment."""
    if not path.exists():
        raise SigningKeyError(f"{path}: no signing key (vendorscope keys create --signer NAME)")
    try:
        private = sshsig.load_private_key(path.read_bytes())
        public_text = _pub_path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SigningKeyError(f"{path}: cannot read the signing key ({exc.strerror or exc})") from None
    except sshsig.SignatureError as exc:
        raise SigningKeyError(f"{path}: {exc}") from None
    try:
        public = sshsig.parse_public_key(public_text)
    except sshsig.SignatureError as exc:
        raise SigningKeyError(f"{_pub_path(path)}: {exc}") from None
    if public.raw != sshsig.PublicKey(private.public_key(), "").raw:
        raise SigningKeyError(f"{_pub_path(path)}: is not the public half of {path}")
    return SigningKey(path, private, public)


def optional_key(path: Path) -> SigningKey | None:
    """The key when one is configured at ``path``, else None (packages are then unsigned)."""
    return load_key(path) if path.exists() else None


def _pub_path(path: Path) -> Path:
    return path.with_name(path.name + ".pub")
