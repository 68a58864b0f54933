"""service.api: the HTTP service (FastAPI) behind ``pactline serve``.

``create_app(settings)`` builds the app; routers under ``routes/`` are thin layers over the
functions the CLI calls too (store, ``service.validation``, ``service.lineage_ops``). Every error
is the one envelope of ``errors.py``; auth is ``service.auth`` through ``deps.caller``.

May import: everything in pactline. Domain packages never import this.
To add an endpoint: a router module under ``routes/``, listed in ``app._routers``, with its
response models in ``models.py`` and its error codes documented in docs/api.md.
"""

from typing import Any

from service.api.settings import ApiSettings

__all__ = ["API_PREFIX", "ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    # FastAPI costs ~0.4 s to import: only the server pays it, not every ``pactline`` command.
    if name in ("API_PREFIX", "create_app"):
        from service.api import app

        return getattr(app, name)
    raise AttributeError(name)
