"""The roles a web user can have. A module of its own so that the command line's help can name them without
importing the accounts code (argon2, the store)."""

ROLES = ("admin", "analyst", "reviewer", "viewer")
