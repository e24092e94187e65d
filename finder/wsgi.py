import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finder.settings")

application = get_wsgi_application()

# The development key is public: serving with it outside DEBUG would let anyone
# forge sessions, admin ones included. Commands and tests may still use it.
if not settings.DEBUG and settings.SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY to a long random string before serving with DEBUG off.")
