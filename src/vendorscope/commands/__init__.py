"""CLI sub-commands, one module per area, each wired into ``cli.py`` with one line."""
