from django.urls import path

from . import language_views

urlpatterns = [
    path("language/", language_views.language_set, name="language_set"),
]
