from django.urls import path

from . import audit_views

urlpatterns = [
    path("o/<slug:org_slug>/audit/", audit_views.audit_log, name="audit_log"),
]
