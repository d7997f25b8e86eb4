"""Answering a request: the response package, directive reports, risk and remediation tracking."""
