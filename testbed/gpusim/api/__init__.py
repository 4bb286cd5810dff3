"""The simulated Kubernetes REST API: discovery, CRUD, watch, logs, server-side tables, over HTTPS."""

from .auth import Authorizer
from .server import ApiServer

__all__ = ["ApiServer", "Authorizer"]
