"""Static files as production serves them: hashed names and compressed copies, served by WhiteNoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed storage that also rewrites ES-module imports in JavaScript.

    `static/js/init.js` imports GOV.UK Frontend by a relative path. Without the rewrite the browser
    would fetch the unhashed file (cached for a minute, not a year) and run it as a second copy of
    the module beside the hashed one `base.html` loads. Django rewrites only `import ... from "...";`
    with its closing semicolon.
    """

    support_js_module_import_aggregation = True
