"""Which host names and addresses are local: the settings' DEBUG guard and the health probe.

Plain functions on strings, read by `settings.py` before Django is set up.
"""

import ipaddress

# Names that never resolve on the public internet: RFC 6761 (.localhost, .test), RFC 6762
# (.local, multicast DNS) and ICANN's private-use .internal.
LOCAL_SUFFIXES = (".localhost", ".test", ".local", ".internal")


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_local_host(host: str) -> bool:
    """True for a name or address only this machine or its private network can reach.

    `*` (any host) is not local; `.example.org` (a domain and its subdomains) is as local as
    `example.org`. A name without a dot (`web`, a compose service) is not a public name.
    """
    name = host.strip().lower().rstrip(".")
    if name.startswith("."):
        name = name[1:]
    if not name or "*" in name:
        return False
    address = _address(name)
    if address is not None:
        return address.is_loopback or address.is_private or address.is_link_local
    return name == "localhost" or "." not in name or name.endswith(LOCAL_SUFFIXES)


def public_hosts(hosts: list[str]) -> list[str]:
    """The entries of an ALLOWED_HOSTS list that the public internet could reach."""
    return [host for host in hosts if not is_local_host(host)]


def is_loopback_address(value: str | None) -> bool:
    """True when a client address (REMOTE_ADDR) is this machine itself."""
    address = _address(value or "")
    return address is not None and address.is_loopback
