"""The syntax Kubernetes, registries and HTTP expect of an option's value, checked before any test runs.

Each check takes the raw text and returns None when it is well formed, else what was expected, in the
words of the API server's own validation (k8s.io/apimachinery/pkg/util/validation), so a value the
cluster would refuse halfway through a run is refused at once, naming the option.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(rf"(?=.{{1,63}}$){_LABEL}")
_DNS1123_SUBDOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_NAME_PART = re.compile(r"(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"(?=.{0,63}$)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# github.com/distribution/reference: [domain[:port]/]path[:tag][@digest]
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][-A-Za-z0-9]*[A-Za-z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*"
_IMAGE = re.compile(
    rf"(?:(?:{_DOMAIN}|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
    r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?")
_VERSION = re.compile(r"\d+(\.\d+)*")
_SELECTOR_TERM = re.compile(
    r"\s*(?:!\s*(?P<absent>[^\s=!(),]+)"
    r"|(?P<key>[^\s=!(),]+)(?:\s*(?P<op>==|!=|=)\s*(?P<value>[^\s=!(),]*)"
    r"|\s+(?P<set>in|notin)\s*\((?P<values>[^()]*)\))?)\s*")

DNS1123_LABEL = ("a lowercase RFC 1123 label of at most 63 characters, lower case alphanumeric characters or '-', "
                 "starting and ending with an alphanumeric character (e.g. 'gpu-conformance')")
DNS1123_SUBDOMAIN = ("a lowercase RFC 1123 subdomain of at most 253 characters: lower case alphanumeric "
                     "characters, '-' or '.', starting and ending with an alphanumeric character (e.g. 'node-1')")
TAINT = ("KEY[=VALUE][:EFFECT], where KEY is a qualified name ([prefix/]name, e.g. 'nvidia.com/gpu'), VALUE a label "
         f"value of at most 63 characters and EFFECT one of {', '.join(TAINT_EFFECTS)}")
SELECTOR = ("a label selector such as 'gpu-node=true', 'app in (a,b)', 'tier!=x' or '!key', terms joined by commas, "
            "keys qualified names and values label values")
IMAGE = "an image reference such as 'nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2' (lowercase repository)"
VERSION = "a version of dot-separated numbers such as '535.104.05' or '1.28'"
HTTP_URL = "an http:// or https:// URL with a host, such as 'http://127.0.0.1:9091'"
READABLE_FILE = "a file that exists and can be read"


def dns1123_label(text: str) -> str | None:
    return None if _DNS1123_LABEL.fullmatch(text) else DNS1123_LABEL


def dns1123_subdomain(text: str) -> str | None:
    return None if _DNS1123_SUBDOMAIN.fullmatch(text) else DNS1123_SUBDOMAIN


def qualified_name(text: str) -> bool:
    """``nvidia.com/gpu`` or ``gpu``: an optional DNS subdomain prefix, then a name part (label keys, taint keys)."""
    prefix, slash, name = text.rpartition("/")
    return bool(_NAME_PART.fullmatch(name)) and (not slash or bool(_DNS1123_SUBDOMAIN.fullmatch(prefix)))


def taint(text: str) -> str | None:
    """``key``, ``key=value``, ``key:Effect`` or ``key=value:Effect``, as ``kubectl taint`` reads them."""
    key_value, colon, effect = text.partition(":")
    key, _, value = key_value.partition("=")
    valid = (qualified_name(key) and bool(_LABEL_VALUE.fullmatch(value))
             and (not colon or effect in TAINT_EFFECTS))
    return None if valid else TAINT


def label_selector(text: str) -> str | None:
    """The label selector grammar of k8s.io/apimachinery/pkg/labels: equality, set and existence terms."""
    position = 0
    while True:
        term = _SELECTOR_TERM.match(text, position)
        if term is None or not _term_valid(term):
            return SELECTOR
        position = term.end()
        if position == len(text):
            return None
        if text[position] != ",":
            return SELECTOR
        position += 1


def _term_valid(term: re.Match[str]) -> bool:
    key = term["absent"] or term["key"]
    if key is None or not qualified_name(key):
        return False
    if term["value"] is not None:
        return bool(_LABEL_VALUE.fullmatch(term["value"]))
    if term["set"] is not None:
        values = [v.strip() for v in term["values"].split(",")]
        return all(_LABEL_VALUE.fullmatch(v) for v in values)
    return True


def image(text: str) -> str | None:
    return None if _IMAGE.fullmatch(text) else IMAGE


def share(text: str) -> str | None:
    """A share such as 0.5: more than 0, at most 1."""
    try:
        value = float(text)
    except ValueError:
        return "a number from 0 to 1, such as 0.5"
    return None if 0 < value <= 1 else "a number from 0 to 1, such as 0.5"


def version(text: str) -> str | None:
    return None if _VERSION.fullmatch(text) else VERSION


def http_url(text: str) -> str | None:
    """An absolute http(s) URL; templates (``{ip}``) are checked with their placeholders filled in."""
    try:
        parts = urlsplit(text.replace("{ip}", "127.0.0.1").replace("{node}", "node"))
        _ = parts.port  # raises for a port that is no number
    except ValueError:
        return HTTP_URL
    return None if parts.scheme in ("http", "https") and parts.hostname else HTTP_URL


def readable_file(text: str) -> str | None:
    """The one check that looks at the disk: a file the run will read is there before the run starts."""
    try:
        with Path(text).expanduser().open("rb"):
            return None
    except OSError as exc:
        return f"{READABLE_FILE} ({exc.strerror or exc})"
