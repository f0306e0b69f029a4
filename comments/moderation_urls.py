from django.urls import path

from comments import moderation_views

app_name = "moderation"

urlpatterns = [
    path("", moderation_views.moderation_queue, name="queue"),
    path("act/", moderation_views.moderation_act, name="act"),
    path("slow-mode/", moderation_views.moderation_slow_mode, name="slow_mode"),
]
