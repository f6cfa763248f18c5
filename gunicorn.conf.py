"""gunicorn's settings for Laming Tracker: `gunicorn laming.wsgi` reads this file from the project folder.

PORT               the port to listen on, on 127.0.0.1 (8000); `--bind` on the command line overrides it.
WEB_CONCURRENCY    worker processes (2); about one per CPU core.
GUNICORN_THREADS   threads in each worker process (4).
FORWARDED_ALLOW_IPS  addresses of proxies gunicorn lets set the request's scheme (none unless set).
"""

import os

bind = [f"127.0.0.1:{os.environ.get('PORT', '8000')}"]

# Threads, so a slow request (an upload, a large export) holds a thread, not a whole process.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Each worker is replaced after about 10,000 requests, so memory a large page or export took is given
# back to the system; the jitter keeps the workers from restarting all at once. (After 500, under 100
# saves a second each worker started again every few seconds, and a start costs a second of CPU.)
max_requests = 10_000
max_requests_jitter = 1_000

# A page takes well under a second; PDFs render in the background worker, never in a request.
timeout = 30
graceful_timeout = 30

# Access log on stdout, errors on stderr: whatever runs the service collects both.
accesslog = "-"
errorlog = "-"

# gunicorn trusts 127.0.0.1 to set X-Forwarded-Proto unless told otherwise. Trust nobody by default:
# Django's SECURE_PROXY_SSL_HEADER is the one switch for trusting a proxy's headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# No control socket: gunicorn 25+ opens one at ~/.gunicorn/gunicorn.ctl by default, which two servers
# on one machine would share, and through which the account could change the server while it runs.
control_socket_disable = True
