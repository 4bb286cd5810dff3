"""What every endpoint shares: the store, the logs, the cluster version, authorization, tokens, the life cycle."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..logs import LogStore
from ..model import ApiFaults, ClusterVersion
from ..satokens import TokenIssuer
from ..store import Store
from .auth import RequestAuthorizer
from .served import ServedApis


@dataclass
class ApiContext:
    store: Store
    logs: LogStore
    version: ClusterVersion
    faults: ApiFaults
    authorize: RequestAuthorizer  # for the access reviews: the same decision a request would get
    tokens: TokenIssuer  # signs ServiceAccount tokens (TokenRequest) and checks them
    served: ServedApis = field(default_factory=ServedApis)  # which group versions answer
    stopping: threading.Event = field(default_factory=threading.Event)
    # (user, HTTP method, path without its query) -> requests served; a watch counts under the method "WATCH",
    # as kube-apiserver's apiserver_request_total tells it from a list (its verb label)
    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _closers: dict[int, Callable[[], None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_stop(self, closer: Callable[[], None]) -> Callable[[], None]:
        """Register ``closer`` to run when the server stops; returns the function that unregisters it."""
        token = id(closer)
        with self._lock:
            self._closers[token] = closer

        def unregister() -> None:
            with self._lock:
                self._closers.pop(token, None)

        return unregister

    def count_request(self, user: str, method: str, path: str, watch: bool = False) -> None:
        with self._lock:
            self.requests[(user, "WATCH" if watch else method, path)] += 1

    def requests_of(self, user: str) -> int:
        with self._lock:
            return sum(count for (who, _, _), count in self.requests.items() if who == user)

    def request_log(self, user: str) -> Counter[tuple[str, str]]:
        """(method, path) -> requests served to ``user`` so far."""
        with self._lock:
            return Counter({(method, path): count for (who, method, path), count in self.requests.items()
                            if who == user})

    def stop_all(self) -> None:
        self.stopping.set()
        with self._lock:
            closers = list(self._closers.values())
            self._closers.clear()
        for closer in closers:
            closer()
