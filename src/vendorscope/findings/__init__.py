"""Findings: what the matcher's verdicts mean per host, kept current as evidence and catalogs change."""
