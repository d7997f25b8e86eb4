"""The multi-user server's domain logic (accounts, agent pushes, audit, scoped views); the web layer is in web/."""
