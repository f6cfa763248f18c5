from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInUsersMiddleware:
    """Nothing a signed-in user was shown is kept in the browser's cache.

    Council PCs are shared: after sign-out, the back button or the cache must not show the next
    person a response about children, or an export of them. A view that chose its own caching
    (an issued report's PDF, whose bytes never change) is left alone, as are static files, which
    WhiteNoise serves before the request gets this far.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Cache-Control is checked first so a response that set its own (/healthz) never
        # loads the session from the database.
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


# What is worth compressing: pages and text downloads. PDFs, Word and Excel files and images are
# compressed already, and a download streamed from storage (an evidence document, an issued report)
# keeps its Content-Length.
COMPRESSIBLE_TYPES = ("text/html", "text/csv", "text/plain", "application/json")


class CompressPagesMiddleware(GZipMiddleware):
    """Pages gzipped for browsers that accept it: /dashboard/ at national size goes from 678 KB to 27 KB.

    BREACH (guessing a secret in a compressed page from its size, by sending text the page echoes): the
    only secret on our pages is the CSRF token, which Django masks afresh in every response, and Django's
    gzip adds a random number of bytes to each response besides (its "Heal the BREACH" mitigation).
    Session cookies are headers, which gzip does not touch."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if response.streaming or content_type not in COMPRESSIBLE_TYPES:
            return response
        return super().process_response(request, response)
