from django.apps import AppConfig


class SopsConfig(AppConfig):
    name = "leados.sops"
    label = "sops"
    verbose_name = "LeadOS SOPs: leadership routines"

    def ready(self) -> None:
        from leados.sops import my_week  # noqa: F401 - registers the My week sections
