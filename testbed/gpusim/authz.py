"""What an authorizer is asked (the request's attributes) and what it answers (a decision and why)."""

from __future__ import annotations

from dataclasses import dataclass

from .identity import UserInfo


@dataclass(frozen=True)
class Attributes:
    """authorizer.Attributes: a resource request (verb on group/resource[/subresource] in a namespace,
    optionally one named object) or a non-resource request (verb on a URL path)."""

    user: UserInfo
    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""

    @property
    def resource_request(self) -> bool:
        return not self.path


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
