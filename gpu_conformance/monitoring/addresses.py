"""Where a node's exporter answers: --exporter-url filled in, and host:port as a scrape target names it.

Pure: both the scraper and the judges (MON-PROM-TARGETS) need it.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def exporter_url(template: str, ip: str, node: str) -> str:
    """--exporter-url with {ip} (bracketed when IPv6) and {node} filled in; ValueError for a bad template."""
    host = f"[{ip}]" if ":" in ip else ip
    try:
        return template.format(ip=host, node=node)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"--exporter-url {template!r}: only {{ip}} and {{node}} can be filled in "
                         f"({type(exc).__name__}: {exc})") from None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def exporter_addresses(url_template: str, ip: str | None, node: str) -> tuple[str, ...]:
    """host:port of the node's exporter (--exporter-url filled in) as a scrape target may name it: by the
    node's IP or by its name; ValueError for a template that cannot be filled in."""
    addresses = []
    for host in (h for h in (ip, node) if h):
        url = urlsplit(exporter_url(url_template, host, node))
        netloc = url.netloc.rpartition("@")[2].lower()
        addresses.append(netloc if url.port else f"{netloc}:{_DEFAULT_PORTS.get(url.scheme, 80)}")
    return tuple(dict.fromkeys(addresses))
