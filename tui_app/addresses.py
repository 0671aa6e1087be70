"""`[HOST:]PORT` as the command line takes it, for the servers it starts (`--inspect`, `--serve`,
`--demo-server`), and whether a host is this machine alone."""

from __future__ import annotations

import ipaddress

DEFAULT_HOST = "127.0.0.1"


def parse_address(address: str) -> tuple[str, int]:
    """The host (loopback when none is given; an IPv6 one may be in brackets) and the port, 0 to 65535.
    Raises ValueError."""
    host, _, port_text = address.rpartition(":")
    if not (port_text.isascii() and port_text.isdigit()):
        raise ValueError(f"{port_text!r} is not a port number")
    port = int(port_text)
    if not 0 <= port < 65536:
        raise ValueError(f"port {port} is out of range")
    return host.strip("[]") or DEFAULT_HOST, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
