from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "leados.web"
    label = "web"
