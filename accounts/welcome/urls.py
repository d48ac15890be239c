from django.urls import path

from . import views

urlpatterns = [
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]
