"""The web layer: server-rendered chat, the JSON API and health checks, built by ``create_app``."""

from kaifong.web.app import create_app

__all__ = ["create_app"]
