"""The web server: FastAPI app, server-rendered pages and the JSON API, over the service."""
