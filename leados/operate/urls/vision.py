from django.urls import path

from leados.operate.views import vision as views

urlpatterns = [
    path("", views.vision_page, name="vision"),
    path("values/new/", views.core_value_add, name="core_value_add"),
    path("values/<int:value_id>/", views.core_value_edit, name="core_value_edit"),
    path("values/<int:value_id>/delete/", views.core_value_delete, name="core_value_delete"),
    path("values/<int:value_id>/move/", views.core_value_move, name="core_value_move"),
]
