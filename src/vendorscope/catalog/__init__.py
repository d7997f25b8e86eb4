"""Catalogs of vendors of concern: data (YAML) plus the loader that validates it."""
