"""CLI command groups by area; each module's ``register(app)`` adds its commands to the main app."""
