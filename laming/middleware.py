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
