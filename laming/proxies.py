"""The address a request came from, behind the reverse proxies the council runs in front of the app.

django-axes counts failed sign-ins per username and address, through AXES_CLIENT_IP_CALLABLE.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address, which the client cannot choose.

    With TRUSTED_PROXY_COUNT = 0 (the app faces the network), the address the connection came from:
    any X-Forwarded-For header is the client's own words and is ignored. With N trusted proxies,
    each appends the address it was connected from to X-Forwarded-For, so the N rightmost entries
    are theirs and the Nth from the right is the client's. Anything to the left of those the client
    may have written itself, so it is never read.

    Not django-ipware, whose modern engine (8.x) breaks this promise three ways: with its default
    strict checking a forged entry makes the chain "invalid" and it falls back to REMOTE_ADDR (the
    proxy, shared by everyone); an unclosed quote in a forged entry swallows the proxy's entries and
    does the same; and it prefers a public address to a private one, so a council's staff on a private
    network behind a proxy with a public address are all counted at the proxy.
    """
    remote_address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded_for:
        return remote_address
    hops = forwarded_for.split(",")
    if len(hops) < proxies:
        # Fewer entries than proxies: the request did not come through all of them (a probe
        # sent straight to the app), so the connection's own address is the best there is.
        return remote_address
    try:
        return str(ipaddress.ip_address(hops[-proxies].strip()))
    except ValueError:
        # Our own proxy wrote something that is not an address ("unknown", or with a port):
        # a configuration mistake. Count at the connection rather than refuse every sign-in.
        return remote_address
