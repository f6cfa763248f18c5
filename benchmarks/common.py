"""What every benchmark script shares: Django configured against a database of the benchmark's
own (never DATABASE_URL), and a way to rebuild that database from nothing."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure_django(url_variable, default_url):
    """Point Django at the benchmark's own database, named by `url_variable`, and set it up."""
    configure_django_at(os.environ.get(url_variable, default_url))


def configure_django_at(url):
    """Point Django at the database `url` (a benchmark's own, never DATABASE_URL) and set it up."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("AXES_ENABLED", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laming.settings")
    import django

    django.setup()
    from django.conf import settings

    # Mail a benchmark causes (a first administrator's invitation, say) is kept in memory: it is timed,
    # never sent, and needs no mail server on the machine.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def rebuild_database():
    """Drop and create the benchmark database, migrate it and load the reference data."""
    import psycopg2
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    database = settings.DATABASES["default"]
    connections.close_all()
    admin = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"],
        host=database["HOST"],
        port=database["PORT"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{database["NAME"]}"')
    admin.close()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


def collect_static(folder):
    """Collect the static files into `folder` as a deploy does, and serve them from there (STATIC_ROOT,
    passed on to the processes started after): with DEBUG off a page needs the hashed names' manifest."""
    import subprocess

    os.environ["STATIC_ROOT"] = str(folder)
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only")}
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(static_root, log, *, pdf_workers=1):
    """Serve the app as production does, on a free port on 127.0.0.1: `scripts/serve` (gunicorn from
    gunicorn.conf.py, DEBUG off, CONN_MAX_AGE as the environment gives it, and `pdf_workers` background
    workers), static files collected first as a deploy does. Returns the process and its base URL."""
    import subprocess
    import time
    import urllib.request

    port = free_port()
    collect_static(static_root)
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",  # plain http on loopback
        "PORT": str(port),
        "PYTHON": sys.executable,
        "PDF_WORKERS": str(pdf_workers),
    }
    process = subprocess.Popen(["bash", "scripts/serve"], cwd=ROOT, env=env, stdout=log, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"scripts/serve stopped while starting (see {log.name})"
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1):
                return process, base_url
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            time.sleep(0.2)
