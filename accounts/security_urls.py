from django.urls import path

from . import security_views

urlpatterns = [
    path(
        "o/<slug:org_slug>/security/",
        security_views.organization_security,
        name="organization_security",
    ),
]
