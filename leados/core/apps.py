from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "leados.core"
    label = "core"
    verbose_name = "LeadOS core"
