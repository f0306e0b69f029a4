from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.comment_post, name="post"),
    path("articles/<slug:slug>/comments/<int:number>/", views.comment_permalink, name="permalink"),
    path("articles/<slug:slug>/comments/reactions/", views.comment_react, name="react"),
    path("articles/<slug:slug>/comments/<int:number>/delete/", views.comment_delete, name="delete"),
    path(
        "articles/<slug:slug>/comments/<int:number>/report/",
        views.comment_report_form,
        name="report",
    ),
]
