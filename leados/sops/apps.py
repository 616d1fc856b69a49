from django.apps import AppConfig


class SopsConfig(AppConfig):
    name = "leados.sops"
    label = "sops"
    verbose_name = "LeadOS SOPs: leadership routines"
