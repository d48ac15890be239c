from django.urls import path

from . import views

PAIR = "o/<slug:org_slug>/pairs/<int:pair_id>/conversation/"

urlpatterns = [
    path(PAIR, views.pair_conversation, name="pair_conversation"),
    path(f"{PAIR}messages/", views.pair_message_send, name="pair_message_send"),
    path(f"{PAIR}intro-call/", views.intro_call_propose, name="intro_call_propose"),
    path(f"{PAIR}intro-call/accept/", views.intro_call_accept, name="intro_call_accept"),
]
