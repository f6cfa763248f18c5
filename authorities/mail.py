"""Mail to the people who use the tracker: plain text with a simple HTML alternative, every link absolute.

Mail is read away from the site (and sent by a worker or a command, with no request to ask for the
host), so links are built from `settings.SITE_URL`. Mail carries titles and statuses, never a
response's text: it leaves the council's systems.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute(path):
    """The address of a page of the site, for a link in mail: `/account/` -> https://.../account/."""
    return settings.SITE_URL + path


def message(*, to, subject, template, context, headers=None):
    """A mail to one address from `templates/email/<template>.txt` and `.html`, with the site's address
    in their context as `site_url`; `subject` is prefixed with the service's name."""
    context = {"site_url": settings.SITE_URL, **context}
    mail = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"email/{template}.txt", context),
        to=[to],
        headers=headers or {},
    )
    mail.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return mail


def send(*, to, subject, template, context, headers=None, connection=None):
    """Send the mail `message()` builds; raises if the server does not accept it, so a caller that
    keeps a record of what was sent writes it only after this returns."""
    mail = message(to=to, subject=subject, template=template, context=context, headers=headers)
    mail.connection = connection
    return mail.send(fail_silently=False)
