"""CLI command groups, one module per area; each is wired into cli.py with one line."""
