from django.urls import path

from comments.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.moderation_queue, name="queue"),
    path("act/", views.moderation_act, name="act"),
    path("slow-mode/", views.moderation_slow_mode, name="slow_mode"),
]
