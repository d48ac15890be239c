"""Privacy routes. Not under an organization: a person's data spans all of theirs."""

from django.urls import path

from . import privacy_views

urlpatterns = [
    path("privacy/", privacy_views.privacy_overview, name="privacy"),
    path("privacy/export/", privacy_views.privacy_export, name="privacy_export"),
    path("privacy/delete/", privacy_views.privacy_delete, name="privacy_delete"),
]
