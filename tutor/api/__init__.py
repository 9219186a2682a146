"""The HTTP and WebSocket API (Litestar); the app factory is ``tutor.api.app.create_app``."""
