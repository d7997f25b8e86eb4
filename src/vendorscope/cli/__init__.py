"""Command line: a thin layer over ``Service`` (parse, call, print); one module per area of commands.

The command modules keep their annotations as objects (no ``from __future__ import annotations``): Typer reads
every command's signature at each start, and string annotations would be evaluated again each time.
"""

from vendorscope.cli.root import app, main

__all__ = ["app", "main"]
