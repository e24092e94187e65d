import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

application = get_asgi_application()

# As in wsgi.py: never serve with the public development key outside DEBUG.
if not settings.DEBUG and settings.SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY to a long random string before serving with DEBUG off.")
