from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

# The admin login goes through allauth, so its rate limits protect the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.language_urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("accounts.audit_urls")),
    path("", include("accounts.security_urls")),
    path("", include("profiles.urls")),
    path("", include("profiles.import_urls")),
    path("", include("matching.urls")),
    path("", include("contracts.urls")),
    path("", include("contracts.document_urls")),
    path("", include("checkins.urls")),
]
