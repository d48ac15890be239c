from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin login goes through allauth, so its rate limits protect the admin too.
admin.site.login = secure_admin_login(admin.site.login)

# One URL module per app; each app's module includes the routes of its feature packages.
urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("profiles.urls")),
    path("", include("matching.urls")),
    path("", include("contracts.urls")),
    path("", include("checkins.urls")),
]
