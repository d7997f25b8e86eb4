"""Settings are read once — options over VENDORSCOPE_* variables over defaults — and passed down."""

from __future__ import annotations

import os
from pathlib import Path

from vendorscope.config import DEFAULT_THREADS, Settings, sidecar_folder
from vendorscope.service import Service


def test_defaults_without_environment() -> None:
    settings = Settings.load({})
    assert settings.db_url == "sqlite:///vendorscope.db" and settings.catalogs == ()
    assert settings.records_root() == Path("vendorscope.db.records")
    assert settings.server_root() == Path("vendorscope.db.server")
    assert (settings.processes, settings.threads, settings.secure_cookies) == (1, DEFAULT_THREADS, True)


def test_environment_then_options() -> None:
    env = {
        "VENDORSCOPE_DB": "postgresql+psycopg://u@h/db",
        "VENDORSCOPE_CATALOGS": os.pathsep.join(["a.yaml", "b.yaml"]),
        "VENDORSCOPE_RECORDS_DIR": "/data/originals",
        "VENDORSCOPE_SERVER_DIR": "/data/server",
        "VENDORSCOPE_PROCESSES": "3",
        "VENDORSCOPE_THREADS": "7",
        "VENDORSCOPE_INSECURE_COOKIES": "1",
    }
    settings = Settings.load(env)
    assert settings.db_url == "postgresql+psycopg://u@h/db"
    assert settings.catalogs == (Path("a.yaml"), Path("b.yaml"))
    assert settings.records_root() == Path("/data/originals") and settings.server_root() == Path("/data/server")
    assert (settings.processes, settings.threads, settings.secure_cookies) == (3, 7, False)
    assert Settings.load(settings.environment()) == settings  # what serve hands to its worker processes
    chosen = Settings.load(env, db="fleet.db", catalogs=[Path("c.yaml")])
    assert chosen.db_url == "sqlite:///fleet.db" and chosen.catalogs == (Path("c.yaml"),)
    assert chosen.records_root(Path("elsewhere")) == Path("elsewhere")  # --records-dir wins


def test_sidecar_folders_follow_the_sqlite_file() -> None:
    assert sidecar_folder("sqlite:////srv/vs/agency.db", "records") == Path("/srv/vs/agency.db.records")
    assert sidecar_folder("sqlite:///:memory:", "server") == Path("vendorscope.server")
    assert sidecar_folder("postgresql+psycopg://u@h/db", "records") == Path("vendorscope.records")


def test_the_service_takes_the_settings_it_is_given(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 's.db'}", records_dir=tmp_path / "originals")
    service = Service(settings=settings)
    assert service.url == settings.db_url and service.records_originals().root == tmp_path / "originals"
    assert service.server_dir == tmp_path / "s.db.server"
    service.close()
