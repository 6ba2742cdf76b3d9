"""A persistent on-disk cache of derived kernel sets and tables, safe to share a disk with.

Entries live in ``$MEANFIELD_SYM_CACHE`` or, by default, the user's cache directory
(``$XDG_CACHE_HOME/meanfield_sym`` or ``~/.cache/meanfield_sym``), one file per key.  A key is
the SHA-256 of what determines the content: the canonical expression (``srepr``), its parameters,
the package version and the digest of the derivation code
(:func:`meanfield_sym.kernels.digest.derivation_digest`), so a new release or an edited engine
never reads an old entry.

Files are written atomically (a temporary file renamed into place) and signed with an HMAC under
a per-user secret kept in the cache directory (mode 0600): an entry that was truncated, edited or
written by someone else fails the check and is ignored and rebuilt, never unpickled.  Any
failure to read or write the cache (read-only home, full disk) only costs the time to derive
again.

>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> os.environ["MEANFIELD_SYM_CACHE"] = d
>>> key = entry_key("example", {"x": 1})
>>> store(key, {"value": 42}), load(key)
(True, {'value': 42})
>>> open(os.path.join(d, key + ".pkl"), "ab").write(b"tampered") and load(key) is None
True
>>> del os.environ["MEANFIELD_SYM_CACHE"]
"""
from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "entry_key", "load", "store"]

_SECRET_NAME = ".secret"
_DIGEST = hashlib.sha256


def cache_dir() -> Path:
    """The cache folder (created on first use)."""
    env = os.environ.get("MEANFIELD_SYM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "meanfield_sym"


def entry_key(kind: str, content) -> str:
    """A hex key from the kind of entry and what determines it (any ``repr``-able data),
    the package version and the derivation code's digest."""
    from meanfield_sym import __version__
    from meanfield_sym.kernels.digest import derivation_digest
    text = repr((kind, content, __version__, derivation_digest()))
    return f"{kind}-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _secret(folder: Path, create: bool) -> bytes | None:
    path = folder / _SECRET_NAME
    try:
        return path.read_bytes()
    except OSError:
        if not create:
            return None
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    return value


def load(key: str):
    """The object stored under ``key``, or None (absent, unreadable, or failing the HMAC)."""
    folder = cache_dir()
    try:
        secret = _secret(folder, create=False)
        blob = (folder / f"{key}.pkl").read_bytes()
    except OSError:
        return None
    if secret is None or len(blob) < _DIGEST().digest_size:
        return None
    tag, payload = blob[:_DIGEST().digest_size], blob[_DIGEST().digest_size:]
    if not hmac.compare_digest(tag, hmac.new(secret, key.encode() + payload, _DIGEST).digest()):
        return None
    try:
        return pickle.loads(payload)  # noqa: S301 -- signed by this user's secret, see above
    except Exception:  # noqa: BLE001 -- a signed entry from an incompatible version: rebuild
        return None


def store(key: str, value) -> bool:
    """Store ``value`` under ``key`` atomically; False (and nothing raised) on any failure."""
    folder = cache_dir()
    try:
        secret = _secret(folder, create=True)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        tag = hmac.new(secret, key.encode() + payload, _DIGEST).digest()
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(tag + payload)
        os.replace(tmp, folder / f"{key}.pkl")
        return True
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
