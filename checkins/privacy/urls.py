"""Privacy routes. Not under an organization: a person's data spans all of theirs."""

from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_overview, name="privacy"),
    path("privacy/export/", views.privacy_export, name="privacy_export"),
    path("privacy/delete/", views.privacy_delete, name="privacy_delete"),
    path("privacy/coordinators/", views.coordinator_view, name="coordinator_view"),
]
