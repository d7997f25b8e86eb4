"""Deeply nested input (issue 11, failure 7): one line and a 400, never a RecursionError or a 500.

A request YAML of 50,000 nested levels once returned 500 with a RecursionError and reset the connection.
Every structured input the server parses is tried: request YAML uploads, pushed bundles (JSON, XML), forms.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.server_support import PASSWORD, app_client, csrf_of, login, push, setup_accounts
from vendorscope import safe_yaml
from vendorscope.errors import InputError
from vendorscope.respond.request import load_request

DEPTH = 50_000
NESTED_YAML = "id: R-1\nitems: " + "[" * DEPTH + "]" * DEPTH + "\n"
ALIASES = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(11)
)


@pytest.mark.parametrize("text", [NESTED_YAML, "{a: " * DEPTH + "}" * DEPTH, ALIASES])
def test_bounded_yaml_refuses_with_a_yaml_error(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        safe_yaml.safe_load(text)
    assert "refused" in str(caught.value)
    assert safe_yaml.safe_load("a: [1, [2, [3]]]") == {"a": [1, [2, [3]]]}


def test_a_nested_request_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "request.yaml"
    path.write_text(NESTED_YAML, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_request(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: not valid YAML: nested deeper than") and "\n" not in message


def test_the_cli_says_one_line_for_a_nested_request(tmp_path: Path) -> None:
    (tmp_path / "request.yaml").write_text(NESTED_YAML, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "vendorscope", "--db", "s.db", "respond", "request.yaml", "--out", "pkg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "nested deeper than" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_the_server_answers_400_for_a_nested_request_upload(db_url: str) -> None:
    with app_client(db_url) as (service, client):
        service.accounts.add_user("boss", PASSWORD, "admin", "")
        login(client, "boss")
        response = client.post(
            "/requests",
            data={"csrf": csrf_of(client)},
            files={"request": ("deep.yaml", NESTED_YAML, "text/yaml")},
            headers={"accept": "text/html"},
        )
        assert response.status_code == 400
        assert "nested deeper than" in response.text


NESTED_BUNDLES = {
    "cyclonedx-json": b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": '
    + b'[{"type": "application", "name": "x", "components": ' * 400
    + b"[]"
    + b"}]" * 400
    + b"}",
    "json-depth": b'{"host": "ws-1", "name": ' + b"[" * DEPTH + b"]" * DEPTH + b"}\n",
    "cyclonedx-xml": b'<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>'
    + b'<component type="application"><name>x</name><components>' * 2000
    + b"</components></component>" * 2000
    + b"</components></bom>",
}


@pytest.mark.parametrize("kind", sorted(NESTED_BUNDLES))
def test_nested_pushes_are_refused_without_a_500(db_url: str, kind: str) -> None:
    with app_client(db_url) as (service, client):
        tokens = setup_accounts(service)
        response = push(client, tokens.root, gzip.compress(NESTED_BUNDLES[kind], mtime=0))
        assert response.status_code in (200, 201, 413, 422), response.text
        assert response.status_code != 500
