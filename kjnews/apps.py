from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app with our site as `admin.site`, so the apps' `@admin.register` and
    `admin.site.urls` reach it unchanged."""

    default_site = "kjnews.admin.StaffAdminSite"
