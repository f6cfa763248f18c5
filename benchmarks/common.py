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
