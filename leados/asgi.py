import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leados.settings")
application = get_asgi_application()

from leados.core.serving import settle  # noqa: E402 - after the application is set up

settle()
