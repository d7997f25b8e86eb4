"""Mobile importers: Android `pm list packages -f` and `dumpsys package` output, MDM app lists (CSV/JSON)
with the usual column names or a `--map` mapping."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from vendorscope.cli import app
from vendorscope.service import Service
from vendorscope.sources.base import Hints

PM_LIST = """package:/data/app/~~Qx1==/com.kms.free-abc==/base.apk=com.kms.free
package:/system/app/Chrome/Chrome.apk=com.android.chrome
package:garbage
"""
DUMPSYS = """Packages:
  Package [com.kaspersky.security.cloud] (4b1c7e2):
    userId=10213
    codePath=/data/app/com.kaspersky.security.cloud-1
    versionName=11.90.4.7
  Package [com.android.chrome] (9a8b):
    versionName=120.0
"""


def _apps(service: Service) -> list[str]:
    return sorted(f"{f['host']}:{f['product']}" for f in service.findings("kaspersky"))


def test_pm_list_packages(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "pixel-7.txt"
    path.write_text(PM_LIST)
    report = sqlite_service.ingest([path], Hints())
    assert report.files[0].format == "android-packages"
    assert report.files[0].messages() == [f"{path}:3: not a 'package:PATH=NAME' line"]
    assert [f.split(":")[0] for f in _apps(sqlite_service)] == ["pixel-7"]
    (host,) = sqlite_service.hosts()
    assert host["software"] == 2 and host["coverage"] == "android-package-list"


def test_dumpsys_package(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "dumpsys.txt"
    path.write_text(DUMPSYS)
    assert sqlite_service.ingest([path], Hints(host="phone-12")).ok
    assert [f.split(":")[0] for f in _apps(sqlite_service)] == ["phone-12"]


def test_mdm_csv_with_usual_columns(sqlite_service: Service, tmp_path: Path) -> None:
    path = tmp_path / "intune.csv"
    path.write_text(
        "Device name,App name,App version,Bundle ID,Platform\n"
        "ipad-3,Kaspersky Security Cloud,1.0,com.kaspersky.securityadvisor,iOS\n"
        "ipad-3,Notes,2.0,com.apple.notes,iOS\n"
        ",Orphan,1,x,iOS\n"
    )
    report = sqlite_service.ingest([path], Hints())
    assert report.files[0].format == "mdm-apps"
    assert report.files[0].messages() == [f"{path}:4: no device in column 'Device name'"]
    assert [f.split(":")[0] for f in _apps(sqlite_service)] == ["ipad-3"]


def test_mdm_json_with_a_column_mapping_from_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    rows = [
        {"Device": "tab-9", "Application Name": "Kaspersky", "Pkg": "com.kms.free", "Platform": "Android"},
        {"Device": "tab-9", "Application Name": "Maps", "Pkg": "com.google.maps", "Platform": "Android"},
    ]
    path.write_bytes(orjson.dumps(rows))
    db = str(tmp_path / "s.db")
    done = CliRunner().invoke(app, ["--db", db, "ingest", "-q", "--map", "identifier=Pkg", str(path)])
    assert done.exit_code == 0, done.output
    found = orjson.loads(CliRunner().invoke(app, ["--db", db, "findings", "-f", "json"]).stdout)
    assert [(f["host"], f["evidence"][0]["source"]) for f in found] == [("tab-9", "android_packages")]
    bad = CliRunner().invoke(app, ["--db", db, "ingest", "--map", "identifier", str(path)])
    assert bad.exit_code == 2 and "is not field=column" in bad.output.lower()
