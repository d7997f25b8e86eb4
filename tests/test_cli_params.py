"""The CLI's own conversion of option values (cli/params.py) against Typer's pydantic one: for every parameter
of every command and values of each kind — good, refused, odd — both give the same value or the same error."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import pytest
import typer
import typer.main
from typer._coercion import build_runtime_param

from vendorscope.cli import app
from vendorscope.cli.params import PlainValues, PlainValuesCommand, PlainValuesGroup, convert_plainly

ROOT = typer.main.get_command(app)


def _commands(command: Any, path: str = "") -> list[tuple[str, Any]]:
    found = [(path or "vendorscope", command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, f"{path} {name}".strip())
    return found


COMMANDS = _commands(ROOT)
PARAMS = [(f"{path} {param.name}", command, param) for path, command in COMMANDS for param in command.params]


def _samples(item: Any, tmp: Path) -> list[Any]:
    """Values of one item: what a command line gives (text), what a default gives (the type itself), odd ones."""
    if item is bool:
        return [True, False, "true", "0", "maybe", ""]
    if isinstance(item, type) and issubclass(item, Enum):
        return [*item, *(str(m.value) for m in item), *(str(m.value).upper() for m in item), "nope", "", 3]
    if isinstance(item, type) and issubclass(item, Path):
        return [
            *(str(tmp / name) for name in ("file.yaml", "folder", "missing", "folder/../file.yaml")),
            tmp / "file.yaml",
            "",
            "-",
            "a\x00b",
            b"bytes",
        ]
    return ["x", "", " padded ", "ünïcode \x1b[31m", "-", "a b", b"caf\xc3\xa9", 7]


def _outcome(coercion: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = coercion.coerce(value, param=param, ctx=ctx)
    except typer.BadParameter as exc:
        return "refused", exc.format_message()
    except Exception as exc:
        return "raised", f"{type(exc).__name__}: {exc}"
    return "value", (type(result), result)


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("params")
    (tmp / "file.yaml").write_text("x: 1\n", encoding="utf-8")
    (tmp / "folder").mkdir()
    return tmp


class Colour(Enum):
    red = "Red"
    blue = "blue"


def _every_flavour() -> Any:
    """A command with the parameter flavours the vendorscope commands do not all use (yet)."""
    flavours = typer.Typer(add_completion=False)

    @flavours.command()
    def every(
        words: list[str],
        colour: Colour = Colour.red,
        any_case: Annotated[Colour, typer.Option(case_sensitive=False)] = Colour.red,
        colours: Annotated[list[Colour] | None, typer.Option()] = None,
        folder: Annotated[Path | None, typer.Option(file_okay=False)] = None,
        existing_folder: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
        existing_file: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, readable=True)] = None,
        writable: Annotated[Path | None, typer.Option(exists=True, writable=True)] = None,
        resolved: Annotated[Path | None, typer.Option(resolve_path=True)] = None,
        resolved_file: Annotated[Path | None, typer.Option(resolve_path=True, exists=True, dir_okay=False)] = None,
        dash: Annotated[Path | None, typer.Option(allow_dash=True)] = None,
        as_text: Annotated[str | None, typer.Option(exists=True, path_type=str)] = None,
        flag: bool = False,
    ) -> None:
        pass

    convert_plainly(flavours)
    command = typer.main.get_command(flavours)
    return [(f"every {param.name}", command, param) for param in command.params]


@pytest.mark.parametrize(("name", "command", "param"), PARAMS, ids=[name for name, _, _ in PARAMS])
def test_each_parameter_converts_as_typer_does(name: str, command: Any, param: Any, paths: Path) -> None:
    _same_as_typers(name, command, param, paths)


FLAVOURS = _every_flavour()


@pytest.mark.parametrize(("name", "command", "param"), FLAVOURS, ids=[name for name, _, _ in FLAVOURS])
def test_each_flavour_of_parameter_converts_as_typer_does(name: str, command: Any, param: Any, paths: Path) -> None:
    _same_as_typers(name, command, param, paths)


def _same_as_typers(name: str, command: Any, param: Any, paths: Path) -> None:
    plain = param._runtime_param
    assert isinstance(plain, PlainValues), f"{name}: not converted by cli/params.py"
    typers = build_runtime_param(param.type_descriptor)
    ctx = typer.Context(command)
    annotation = param.type_descriptor.annotation
    is_list = get_origin(annotation) is list
    item = get_args(annotation)[0] if is_list else annotation
    samples = _samples(item, paths)
    values: list[Any] = [None, *([samples, tuple(samples[:2]), samples[0]] if is_list else samples)]
    if is_list:
        values += [[sample] for sample in samples]
    cwd = os.getcwd()
    os.chdir(paths)  # relative paths ("", "-") are looked up here
    try:
        for value in values:
            plain._typers = None
            outcome = _outcome(plain, value, param, ctx)
            assert outcome == _outcome(typers, value, param, ctx), (name, value)
            if outcome[0] == "value" and _command_line_kind(item, value, is_list):  # not left to Typer's own
                assert plain._typers is None, (name, value)
    finally:
        os.chdir(cwd)


def _command_line_kind(item: Any, value: Any, is_list: bool) -> bool:
    """Whether ``value`` is of the kind a command line or a default gives (text; a member, a path, a flag)."""
    if is_list:
        return isinstance(value, list | tuple) and all(_command_line_kind(item, one, False) for one in value)
    if item is bool:
        return isinstance(value, bool)
    if isinstance(item, type) and issubclass(item, Enum | Path):
        return isinstance(value, str | item)
    return isinstance(value, str)


def test_paths_refused_for_access_as_typer_refuses_them(paths: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readable and writable checks (every path is both for root, who runs CI): access denied by the system."""
    real_access = os.access
    denied = {"unreadable": os.R_OK, "unwritable": os.W_OK}

    def access(path: Any, mode: int) -> bool:
        return not any(word in str(path) and mode == refused for word, refused in denied.items()) and real_access(
            path, mode
        )

    monkeypatch.setattr(os, "access", access)
    files = [paths / f"{word}.yaml" for word in denied]
    for file in files:
        file.write_text("x: 1\n", encoding="utf-8")
    checked = 0
    for name, command, param in [*PARAMS, *FLAVOURS]:
        info = param.type_descriptor.parameter_info
        if isinstance(param._runtime_param, PlainValues) and (info.readable or info.writable):
            typers = build_runtime_param(param.type_descriptor)
            ctx = typer.Context(command)
            for value in (*map(str, files), str(paths / "file.yaml"), [str(files[0])]):
                expected = _outcome(typers, value, param, ctx)
                assert _outcome(param._runtime_param, value, param, ctx) == expected, (name, value)
                checked += expected[0] == "refused"
    assert checked >= 3


def test_every_command_converts_its_values_here() -> None:
    """A command added later (any module's ``register``) is built with the plain classes too, and its --help
    option converts here: that option is parsed on every run of the command."""
    assert PARAMS and len(COMMANDS) > 40
    for path, command in COMMANDS:
        assert isinstance(command, PlainValuesCommand | PlainValuesGroup), path
        help_option = command.get_help_option(typer.Context(command))
        assert isinstance(help_option._runtime_param, PlainValues), path


def test_the_plain_conversion_leaves_typers_types_to_typer(paths: Path) -> None:
    """Numbers and dates are Typer's own (pydantic) conversion: same value, same words for a refusal."""
    serve = dict(COMMANDS)["serve"]
    port = next(param for param in serve.params if param.name == "port")
    ctx = typer.Context(serve)
    assert port._runtime_param.coerce("8080", param=port, ctx=ctx) == 8080
    with pytest.raises(typer.BadParameter) as refused:
        port._runtime_param.coerce("70000", param=port, ctx=ctx)
    assert "less than or equal to 65535" in refused.value.format_message()
