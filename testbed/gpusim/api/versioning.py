"""Objects cross the HTTP boundary in the version on the path; the store keeps one version of each kind.

A request body is read in the version its ``apiVersion`` names (when that is a version of the path's
group, as the apiserver's decoder does) or else in the path's; replies, list items and watch events are
written in the path's version.
"""

from __future__ import annotations

from ..resources import RESOURCE_GROUP
from ..store import clone
from . import field_validation, resource_conversion
from .messages import Obj, Route

_SHAPES = ("v1", "v1beta2", "v1beta1")  # resource.k8s.io versions with a known shape


def _converts(route: Route) -> bool:
    return route.rt.group == RESOURCE_GROUP


def _body_version(route: Route, obj: Obj) -> str:
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    return version if group == RESOURCE_GROUP and version in _SHAPES else route.version or route.rt.version


def body_version(route: Route, obj: Obj) -> str:
    """The version a request body is read in."""
    return _body_version(route, obj) if _converts(route) else route.rt.version


def field_warnings(route: Route, obj: Obj, validation: str) -> list[str]:
    """``fieldValidation`` of a create or update body: warnings, or 400 under ``Strict``."""
    return field_validation.check_body(route.rt, body_version(route, obj), obj, validation or "Warn")


def incoming(route: Route, obj: Obj) -> Obj:
    """A request body as stored: in place, returned for convenience."""
    if not _converts(route):
        return obj
    if _body_version(route, obj) == "v1beta1":
        resource_conversion.to_v1(route.rt, obj)
    if "apiVersion" in obj:
        obj["apiVersion"] = route.rt.api_version
    return obj


def outgoing(route: Route, obj: Obj) -> Obj:
    """A stored object as the request's version shows it; the stored one itself when no conversion is due."""
    if not _converts(route) or not route.version or obj.get("kind") == "Status":
        return obj
    out: Obj = clone(obj)
    if route.version == "v1beta1":
        resource_conversion.to_v1beta1(route.rt, out)
    out["apiVersion"] = route.api_version
    return out
