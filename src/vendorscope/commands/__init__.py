"""CLI sub-apps, one module per area, each wired into ``cli.py`` with one line."""
