"""Request files: what a valid one reads as, and one-line errors naming the line and the field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vendorscope.errors import InputError
from vendorscope.respond.request import load_request

GOOD = """\
id: HSST-2017-001
requester: House Committee on Science, Space, and Technology
received: 2017-07-27
due: 2017-08-10
vendor: kaspersky
items:
  - systems
  - contractors
  - documents:
      since: 2013-01-01
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "request.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_request(tmp_path: Path) -> None:
    request = load_request(write(tmp_path, GOOD))
    assert request.id == "HSST-2017-001" and request.received == date(2017, 7, 27)
    assert request.items == ("systems", "contractors", "documents")
    assert request.documents is not None and request.documents.since == date(2013, 1, 1)
    assert request.asks("documents") and not load_request(write(tmp_path, GOOD.split("  - contractors")[0])).asks(
        "documents"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("since: 2013-01-01", "since: 2013-13-01"), ":10: items[2].documents.since: Input should be a valid date"),
        (("  - contractors", "  - contractor"), ":8: items[1]: unknown item 'contractor'"),
        (("  - contractors", "  - systems"), ":7: items: asked more than once: systems"),
        (("received: 2017-07-27", "received: yesterday"), ":3: received: Input should be a valid date"),
        (("due: 2017-08-10", "due: 2017-07-01"), "due: 2017-07-01 is before received (2017-07-27)"),
        (("id: HSST-2017-001", "id: ../../etc"), ":1: id: String should match pattern"),
        (("vendor: kaspersky\n", "vendor: kaspersky\ncolour: blue\n"), ":6: colour: Extra inputs are not permitted"),
        (("  - systems", "  - systems: {since: 2013-01-01}"), ":7: items[0].systems: takes no options"),
        (("requester: House", "requester: [House"), "not valid YAML"),
    ],
)
def test_mistakes_are_one_line_naming_the_field(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError) as error:
        load_request(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message and "\n" not in message


def test_missing_fields_and_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="requester: Field required"):
        load_request(
            write(tmp_path, GOOD.replace("requester: House Committee on Science, Space, and Technology\n", ""))
        )
    with pytest.raises(InputError, match="a request is a mapping"):
        load_request(write(tmp_path, "- systems\n"))
    with pytest.raises(InputError, match="cannot read"):
        load_request(tmp_path / "absent.yaml")


def test_several_vendors(tmp_path: Path) -> None:
    text = GOOD.replace("vendor: kaspersky", "vendors: [huawei, zte, hikvision, dahua, hytera]")
    request = load_request(write(tmp_path, text))
    assert request.vendor_ids == ("huawei", "zte", "hikvision", "dahua", "hytera")
    assert request.for_vendor("zte").vendor_ids == ("zte",)
    for bad, message in (
        (GOOD.replace("vendor: kaspersky", "vendor: kaspersky\nvendors: [zte]"), "name one vendor"),
        (GOOD.replace("vendor: kaspersky\n", ""), "name one vendor"),
        (GOOD.replace("vendor: kaspersky", "vendors: [zte, zte]"), "each vendor once"),
    ):
        with pytest.raises(InputError, match=message):
            load_request(write(tmp_path, bad))
