"""CLI command groups by area; each module registers itself on the main Typer app."""
