from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "leados.api"
    label = "api"
