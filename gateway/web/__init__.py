"""Support web UI and platform API (issue 5): see docs/web.md."""

from gateway.web.app import create_app

__all__ = ["create_app"]
