from django.urls import path

from suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("articles/<slug:slug>/suggest/<str:key>/", views.suggestion_form, name="suggest"),
]
