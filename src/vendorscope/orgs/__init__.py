"""Organizations: the registry, host ownership, rollups, entity screening and procurement records."""
