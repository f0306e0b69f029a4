from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("sections/<slug:slug>/", views.section_detail, name="section"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("feed/", views.feed, name="feed"),
    path("feed/atom/", views.feed_atom, name="feed-atom"),
    path("sections/<slug:slug>/feed/", views.section_feed, name="section-feed"),
    path("sections/<slug:slug>/feed/atom/", views.section_feed_atom, name="section-feed-atom"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemap-news.xml", views.news_sitemap, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", views.sitemap, name="sitemap"),
    path("search/", views.search, name="search"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/feed/", views.corrections_feed, name="corrections-feed"),
    path("corrections/feed/atom/", views.corrections_feed_atom, name="corrections-feed-atom"),
]
