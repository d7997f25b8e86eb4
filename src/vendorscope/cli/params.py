"""Command-line values without pydantic, for the start-up of short commands.

Typer (0.29 and later) converts every parameter value through a pydantic ``TypeAdapter``: any command given
any option imports pydantic and builds adapters, which costs a short command like ``findings`` more than its
own work (docs/benchmarks.md, "Start-up"). ``convert_plainly`` builds the commands with the classes below,
which give each parameter whose type is a string, a flag, a path or a choice (or a list of them) a
conversion done here, the way Typer's adapters do it. Any other type, any value of another kind (bytes, an
environment string for a flag) and every value that a check refuses go to Typer's own conversion, so the
results and the error messages are Typer's. ``tests/test_cli_params.py`` holds the two to the same answers
for every parameter of every command.
"""

from __future__ import annotations

import os
import stat
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, get_args, get_origin

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder


class _Unplain(Exception):
    """A value this module does not convert: Typer's own conversion decides (and words any error)."""


class _Coercion(Protocol):
    def coerce(self, value: Any, param: Any, ctx: Any) -> Any: ...


class PlainValues:
    """One parameter's conversion (the interface of Typer's runtime parameters: ``coerce``); Typer's own
    conversion is built only for values this one leaves to it."""

    def __init__(self, param: Any) -> None:
        self._param = param
        self._info = param.type_descriptor.parameter_info
        self._plan: tuple[bool, Any] | None = None  # (a list?, the item type or None for Typer's), at first use
        self._typers: _Coercion | None = None

    def coerce(self, value: Any, param: Any, ctx: typer.Context) -> Any:
        multiple = param.multiple or param.nargs == -1
        if value is None:
            return () if multiple else None
        if self._plan is None:
            self._plan = _plan(self._param.type_descriptor)
        is_list, item = self._plan
        try:
            if item is None or is_list != isinstance(value, list | tuple):
                raise _Unplain
            if is_list:
                return [self._one(item, one, ctx) for one in value]
            return self._one(item, value, ctx)
        except _Unplain:
            return self._typers_own().coerce(value, param=param, ctx=ctx)

    def _one(self, kind: Any, value: Any, ctx: typer.Context) -> Any:
        if kind is str:
            if not isinstance(value, str):
                raise _Unplain
            return str(value)
        if kind is bool:
            if not isinstance(value, bool):
                raise _Unplain
            return value
        if issubclass(kind, Enum):
            return self._choice(kind, value, ctx)
        return self._path(kind, value)

    def _choice(self, kind: type[Enum], value: Any, ctx: typer.Context) -> Enum:
        """The member named by ``value`` (its value as text, casefolded unless case-sensitive)."""
        if isinstance(value, kind):
            return value
        if not isinstance(value, str) or ctx.token_normalize_func is not None:
            raise _Unplain
        fold = (lambda text: text) if self._info.case_sensitive else str.casefold
        wanted = fold(value)
        for member in kind:
            if fold(str(member.value)) == wanted:
                return member
        raise _Unplain  # not a choice: Typer's message lists the choices

    def _path(self, kind: type[Path], value: Any) -> Any:
        """The path, checked as the option asks (exists, file or folder, readable, writable)."""
        info = self._info
        path_type = info.path_type or kind
        if isinstance(value, path_type):
            path: Any = value
        elif isinstance(value, str) and isinstance(path_type, type) and issubclass(path_type, Path):
            path = path_type(value)
        else:
            raise _Unplain
        try:
            if info.resolve_path:
                path = os.path.realpath(path)
            mode = os.stat(path).st_mode
        except OSError:
            if info.exists:
                raise _Unplain from None
            return _as(path, path_type)
        except ValueError:  # a NUL in the name
            raise _Unplain from None
        refused = (
            (not info.file_okay and stat.S_ISREG(mode))
            or (not info.dir_okay and stat.S_ISDIR(mode))
            or (info.readable and not os.access(path, os.R_OK))
            or (info.writable and not os.access(path, os.W_OK))
        )
        if refused:
            raise _Unplain
        return _as(path, path_type)

    def _typers_own(self) -> _Coercion:
        if self._typers is None:
            from typer._coercion import build_runtime_param

            self._typers = build_runtime_param(self._param.type_descriptor)
        return self._typers


def _as(path: Any, path_type: type[Path]) -> Path:
    return path if isinstance(path, path_type) else path_type(path)


def _plan(descriptor: Any) -> tuple[bool, Any]:
    """Whether a parameter (Typer's descriptor of it) takes a list, and the type of its values that this module
    converts: a string, a flag, a choice (an Enum) or a path; None when Typer's own conversion must."""
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    is_list = get_origin(annotation) is list
    item = get_args(annotation)[0] if is_list else annotation
    if info.parser is not None or descriptor.file_annotation is not None or not isinstance(item, type):
        return is_list, None
    if item is str or item is bool or (issubclass(item, Enum) and item is not Enum):
        return is_list, item
    if issubclass(item, Path):  # "-" is a path here too: Typer's test for a dash sees a Path, never "-"
        return is_list, item
    return is_list, None


def _convert(param: Any) -> None:
    """Typer's parameters of the kind this module knows, whose conversion is not made yet, get one from here."""
    if getattr(param, "type_descriptor", None) is not None and getattr(param, "_runtime_param", "absent") is None:
        param._runtime_param = PlainValues(param)


class _Plainly:
    """Converts its parameters here, the ``--help`` option (which Typer makes when the command is parsed) too."""

    params: list[Any]

    def _convert_params(self) -> None:
        for param in self.params:
            _convert(param)

    def get_help_option(self, ctx: typer.Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            _convert(option)
        return option


class PlainValuesCommand(_Plainly, TyperCommand):
    """A command whose strings, flags, paths and choices are converted here."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._convert_params()


class PlainValuesGroup(_Plainly, TyperGroup):
    """A group of commands whose own options are converted here."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._convert_params()


def convert_plainly(app: typer.Typer) -> None:
    """Build every command of ``app`` and of the apps added to it with the classes above (one that names a class
    of its own keeps it). Call once every command is registered; the root app names ``PlainValuesGroup`` itself."""
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):  # Typer's default
            command.cls = PlainValuesCommand
    for group in app.registered_groups:
        sub_app = group.typer_instance
        if sub_app is None:
            continue
        if isinstance(group.cls, DefaultPlaceholder) and isinstance(sub_app.info.cls, DefaultPlaceholder):
            group.cls = PlainValuesGroup
        convert_plainly(sub_app)
