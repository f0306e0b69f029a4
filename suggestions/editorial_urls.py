from django.urls import path

from suggestions import editorial

app_name = "editorial"

urlpatterns = [
    path("suggestions/", editorial.suggestion_queue, name="suggestions"),
    path("suggestions/decide/", editorial.suggestion_decide, name="decide"),
]
