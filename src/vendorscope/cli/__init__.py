"""Command line: a thin layer over ``Service`` (parse, call, print); one module per area of commands."""

from vendorscope.cli.root import app, main

__all__ = ["app", "main"]
