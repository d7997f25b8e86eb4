"""The bundle's format id and version, apart from ``bundle.py`` so the importer needs nothing else."""

SCHEMA = "vendorscope-collector-bundle"
VERSION = 1
