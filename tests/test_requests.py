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
        (("since: 2013-01-01", "since: 2013-13-01"), ":10: items[2].documents.since: not a date: '2013-13-01'"),
        (("  - contractors", "  - contractor"), ":8: items[1]: unknown item 'contractor'"),
        (("  - contractors", "  - systems"), ":7: items: asked more than once: systems"),
        (("received: 2017-07-27", "received: yesterday"), ":3: received: not a date: 'yesterday'"),
        (("due: 2017-08-10", "due: 2017-07-01"), "due: 2017-07-01 is before received (2017-07-27)"),
        (("id: HSST-2017-001", "id: ../../etc"), ":1: id: use letters, digits, '.', '_' and '-' only"),
        (("vendor: kaspersky\n", "vendor: kaspersky\ncolour: blue\n"), ":6: colour: not a field of a request"),
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
    with pytest.raises(InputError, match="requester: missing: every request names it"):
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


def test_every_problem_at_once_in_words(tmp_path: Path) -> None:
    """Three mistakes, one run: each on its own line with its line number and field path, no validator jargon."""
    text = GOOD.replace("received: 2017-07-27", "received: 27/07/2017").replace("  - contractors", "  - contractor")
    text = text.replace("since: 2013-01-01", "since: soon").replace("id: HSST-2017-001\n", "")
    path = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        load_request(path, vendors=["kaspersky"])
    lines = str(error.value).splitlines()
    assert lines == [
        f"{path}:1: id: missing: every request names it",
        f"{path}:2: received: not a date: '27/07/2017' (write it as YYYY-MM-DD, e.g. 2017-07-27)",
        f"{path}:7: items[1]: unknown item 'contractor' (known: systems, contractors, documents)",
        f"{path}:9: items[2].documents.since: not a date: 'soon' (write it as YYYY-MM-DD, e.g. 2017-07-27)",
    ]
    assert not any("Value error" in line or "Input should" in line for line in lines)


def test_vendor_ids_in_any_case_and_unknown_vendor_with_the_rest(tmp_path: Path) -> None:
    request = load_request(write(tmp_path, GOOD.replace("vendor: kaspersky", "vendor: Kaspersky")), ["kaspersky"])
    assert request.vendor == "kaspersky"
    path = write(tmp_path, GOOD.replace("vendor: kaspersky", "vendor: acme").replace("due: 2017-08-10", "due: x"))
    with pytest.raises(InputError) as error:
        load_request(path, vendors=["huawei", "kaspersky"])
    assert str(error.value).splitlines() == [
        f"{path}:4: due: not a date: 'x' (write it as YYYY-MM-DD, e.g. 2017-07-27)",
        f"{path}:5: vendor: no catalog for vendor 'acme' (known: huawei, kaspersky)",
    ]
