"""vendorscope's settings, read once: the command line's options over ``VENDORSCOPE_*`` variables over defaults.

``Settings.load`` reads the environment once (the CLI's root callback, or the web server's factory); the
result is passed down to ``Service`` and from there to the parts that need a folder or a flag. Nothing below
reads ``VENDORSCOPE_*`` variables itself.

| setting | option | variable | default |
| --- | --- | --- | --- |
| store | ``--db`` | ``VENDORSCOPE_DB`` | ``./vendorscope.db`` (SQLite) |
| extra catalogs | ``--catalog`` | ``VENDORSCOPE_CATALOGS`` (``os.pathsep``-separated) | none |
| originals of documents | ``records … --records-dir`` | ``VENDORSCOPE_RECORDS_DIR`` | ``<db>.records/`` |
| server data (requests, packages) | | ``VENDORSCOPE_SERVER_DIR`` | ``<db>.server/`` |
| server processes | ``serve --processes`` | ``VENDORSCOPE_PROCESSES`` | 1 |
| requests at once per process | ``serve --workers`` | ``VENDORSCOPE_THREADS`` | 15 |
| cookies without Secure | ``serve --insecure-cookies`` | ``VENDORSCOPE_INSECURE_COOKIES=1`` | Secure |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_DB = "vendorscope.db"
DEFAULT_THREADS = 15
PREFIX = "VENDORSCOPE_"


def database_url(value: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Turn a URL or a plain file path into an SQLAlchemy URL.

    A bare path means an embedded SQLite file, so ``--db fleet.db`` just works.
    """
    env = os.environ if environ is None else environ
    raw = value or env.get(f"{PREFIX}DB") or DEFAULT_DB
    if "://" in raw:
        return raw
    return f"sqlite:///{raw}"


def sidecar_folder(url: str, suffix: str) -> Path:
    """A folder that belongs to the store at ``url``: ``<file>.<suffix>`` beside an SQLite file, else
    ``./vendorscope.<suffix>`` (a server database has no folder of its own)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        return Path(url.removeprefix("sqlite:///") + f".{suffix}")
    return Path(f"vendorscope.{suffix}")


@dataclass(frozen=True)
class Settings:
    """Everything a run of vendorscope is configured with; immutable, built once."""

    db_url: str = field(default_factory=lambda: database_url(DEFAULT_DB))
    catalogs: tuple[Path, ...] = ()
    records_dir: Path | None = None
    server_dir: Path | None = None
    processes: int = 1
    threads: int = DEFAULT_THREADS
    secure_cookies: bool = True

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Settings:
        """Settings from ``options`` (None or empty: not given), else the environment, else the defaults."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in options.items() if v not in (None, (), [])}
        catalogs = [Path(p) for p in env.get(f"{PREFIX}CATALOGS", "").split(os.pathsep) if p]
        settings = cls(
            db_url=database_url(given.pop("db", None), env),
            catalogs=tuple(Path(p) for p in given.pop("catalogs", catalogs)),
            records_dir=_path(env.get(f"{PREFIX}RECORDS_DIR")),
            server_dir=_path(env.get(f"{PREFIX}SERVER_DIR")),
            processes=int(env.get(f"{PREFIX}PROCESSES") or 1),
            threads=int(env.get(f"{PREFIX}THREADS") or DEFAULT_THREADS),
            secure_cookies=env.get(f"{PREFIX}INSECURE_COOKIES", "") != "1",
        )
        return replace(settings, **given)

    def records_root(self, override: Path | str | None = None) -> Path:
        """Where the originals of documents live."""
        chosen = override or self.records_dir
        return Path(chosen) if chosen else sidecar_folder(self.db_url, "records")

    def server_root(self) -> Path:
        """Where the server keeps uploaded requests and built packages."""
        return self.server_dir or sidecar_folder(self.db_url, "server")

    def environment(self) -> dict[str, str]:
        """These settings as ``VENDORSCOPE_*`` variables, for server processes started by another program."""
        env = {
            f"{PREFIX}DB": self.db_url,
            f"{PREFIX}CATALOGS": os.pathsep.join(str(p) for p in self.catalogs),
            f"{PREFIX}PROCESSES": str(self.processes),
            f"{PREFIX}THREADS": str(self.threads),
            f"{PREFIX}INSECURE_COOKIES": "0" if self.secure_cookies else "1",
        }
        if self.records_dir:
            env[f"{PREFIX}RECORDS_DIR"] = str(self.records_dir)
        if self.server_dir:
            env[f"{PREFIX}SERVER_DIR"] = str(self.server_dir)
        return env


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
