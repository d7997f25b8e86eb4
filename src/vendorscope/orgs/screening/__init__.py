"""Entity screening: names (and identifiers) against sourced lists of covered entities."""
