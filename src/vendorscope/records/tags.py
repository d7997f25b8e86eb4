"""The review tags a document can carry. A module of its own so that the command line's help can name them
without importing the store."""

TAGS = ("responsive", "non-responsive", "privileged", "needs-review")
