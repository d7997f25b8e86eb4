"""OpenSSH signatures (``ssh-keygen -Y sign`` / ``-Y verify``) over Ed25519 keys, with `cryptography`.

Why by hand: the SSHSIG envelope (OpenSSH's PROTOCOL.sshsig) is forty lines of length-prefixed fields, and
no maintained Python library writes it (the ``sshsig`` package only verifies). What matters is that the
signature is checked without vendorscope: the tests sign here and verify with the real ``ssh-keygen``, and
the other way round, so a reader needs nothing but OpenSSH (8.1 or later) to check a package.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAGIC = b"SSHSIG"
VERSION = 1
KEY_TYPE = "ssh-ed25519"
HASH = "sha512"
NAMESPACE = "vendorscope"  # `ssh-keygen -Y verify -n vendorscope`: a signature for another purpose cannot pass
ARMOR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOR_END = "-----END SSH SIGNATURE-----"
SIGNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")


class SignatureError(ValueError):
    """A signature or key that cannot be read, or does not verify."""


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key as OpenSSH writes it, and the principal that signs with it."""

    key: Ed25519PublicKey
    signer: str

    @property
    def blob(self) -> bytes:
        return _string(KEY_TYPE.encode()) + _string(self.raw)

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def openssh(self) -> str:
        """``ssh-ed25519 AAAA… signer``: the line of a ``.pub`` file."""
        return f"{KEY_TYPE} {base64.b64encode(self.blob).decode()} {self.signer}"

    @property
    def fingerprint(self) -> str:
        """``SHA256:…`` exactly as ``ssh-keygen -l`` prints it."""
        return "SHA256:" + base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")

    def allowed_signers(self) -> str:
        """One line of an OpenSSH allowed_signers file, limited to vendorscope's namespace."""
        return f'{self.signer} namespaces="{NAMESPACE}" {KEY_TYPE} {base64.b64encode(self.blob).decode()}\n'


def check_signer(signer: str) -> str:
    if not SIGNER.match(signer):
        raise SignatureError(
            f"signer {signer!r}: letters, digits and . _ @ + - only (an email address or a name without spaces)"
        )
    return signer


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_text(key: Ed25519PrivateKey) -> bytes:
    """The key in OpenSSH's own private key format (``ssh-keygen -Y sign -f`` can use it too)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_ssh_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureError(f"not an unencrypted OpenSSH private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("not an Ed25519 key (vendorscope signs with ssh-ed25519 keys)")
    return key


def parse_public_key(line: str) -> PublicKey:
    """A ``.pub`` line (``ssh-ed25519 AAAA… signer``) or an allowed_signers line (``signer opts ssh-ed25519 AAAA…``)."""
    parts = line.split()
    if KEY_TYPE not in parts or parts.index(KEY_TYPE) + 1 >= len(parts):
        raise SignatureError(f"no {KEY_TYPE} key in {line.strip()[:80]!r}")
    at = parts.index(KEY_TYPE)
    signer = parts[at + 2] if at == 0 and len(parts) > 2 else (parts[0] if at > 0 else "")
    try:
        blob = base64.b64decode(parts[at + 1], validate=True)
        fields = _fields(blob, 2)
    except (ValueError, struct.error) as exc:
        raise SignatureError(f"unreadable {KEY_TYPE} key ({exc})") from None
    if fields[0] != KEY_TYPE.encode() or len(fields[1]) != 32:
        raise SignatureError(f"not a {KEY_TYPE} key")
    return PublicKey(Ed25519PublicKey.from_public_bytes(fields[1]), signer)


def sign(key: Ed25519PrivateKey, message: bytes, namespace: str = NAMESPACE) -> str:
    """An armored SSH signature of ``message``, as ``ssh-keygen -Y sign -n NAMESPACE`` writes it."""
    public = PublicKey(key.public_key(), "")
    signature = key.sign(_signed_data(namespace, message))
    blob = (
        MAGIC
        + struct.pack(">I", VERSION)
        + _string(public.blob)
        + _string(namespace.encode())
        + _string(b"")
        + _string(HASH.encode())
        + _string(_string(KEY_TYPE.encode()) + _string(signature))
    )
    text = base64.b64encode(blob).decode()
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    return "\n".join([ARMOR_BEGIN, *lines, ARMOR_END]) + "\n"


def verify(armored: str, message: bytes, allowed: PublicKey, namespace: str = NAMESPACE) -> None:
    """Raise SignatureError unless ``armored`` is ``allowed``'s signature of ``message`` in ``namespace``."""
    blob = _dearmor(armored)
    if blob[:6] != MAGIC:
        raise SignatureError("not an SSH signature (no SSHSIG header)")
    try:
        (version,) = struct.unpack(">I", blob[6:10])
        key_blob, sig_namespace, _reserved, hash_name, sig_blob = _fields(blob[10:], 5)
        sig_type, raw_signature = _fields(sig_blob, 2)
    except (ValueError, struct.error) as exc:
        raise SignatureError(f"malformed SSH signature ({exc})") from None
    if version != VERSION:
        raise SignatureError(f"SSH signature version {version} (expected {VERSION})")
    if sig_namespace.decode(errors="replace") != namespace:
        raise SignatureError(f"signature namespace {sig_namespace.decode(errors='replace')!r}, expected {namespace!r}")
    if key_blob != allowed.blob:
        raise SignatureError(f"signed by another key than {allowed.fingerprint}")
    if sig_type != KEY_TYPE.encode() or hash_name not in (b"sha512", b"sha256"):
        raise SignatureError("unsupported signature or hash algorithm")
    try:
        allowed.key.verify(raw_signature, _signed_data(namespace, message, hash_name.decode()))
    except InvalidSignature:
        raise SignatureError(f"the signature does not match the signed file (key {allowed.fingerprint})") from None


def _signed_data(namespace: str, message: bytes, hash_name: str = HASH) -> bytes:
    digest = hashlib.new(hash_name, message).digest()
    return MAGIC + _string(namespace.encode()) + _string(b"") + _string(hash_name.encode()) + _string(digest)


def _dearmor(armored: str) -> bytes:
    lines = [line.strip() for line in armored.strip().splitlines()]
    if len(lines) < 3 or lines[0] != ARMOR_BEGIN or lines[-1] != ARMOR_END:
        raise SignatureError("not an armored SSH signature (BEGIN/END SSH SIGNATURE lines)")
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except ValueError as exc:
        raise SignatureError(f"SSH signature is not base64 ({exc})") from None


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _fields(data: bytes, count: int) -> list[bytes]:
    fields, at = [], 0
    for _ in range(count):
        (length,) = struct.unpack(">I", data[at : at + 4])
        if at + 4 + length > len(data):
            raise ValueError("field runs past the end")
        fields.append(data[at + 4 : at + 4 + length])
        at += 4 + length
    return fields
