from django.urls import path

from leados.web.views import transfer

urlpatterns = [
    path("", transfer.index, name="transfer"),
    path("preview/", transfer.preview, name="transfer_preview"),
    path("apply/", transfer.apply, name="transfer_apply"),
    path("result/", transfer.result, name="transfer_result"),
    path("discard/", transfer.discard, name="transfer_discard"),
    path("export/", transfer.export, name="transfer_export"),
    path("export/goals/", transfer.export_goals, name="transfer_export_goals"),
    path("export/values/", transfer.export_values, name="transfer_export_values"),
    path("template.csv", transfer.template, name="transfer_template"),
]
