from django.apps import AppConfig


class OperateConfig(AppConfig):
    name = "leados.operate"
    label = "operate"
    verbose_name = "LeadOS operate: goals and alignment"

    def ready(self) -> None:
        from leados.operate import my_week  # noqa: F401 - registers the My week sections
