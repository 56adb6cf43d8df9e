from django.urls import include, path

from resilia.core import search, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search.search_view, name="search"),
    path("favicon.ico", views.favicon, name="favicon"),
]

# Django's language switcher (POST /i18n/setlang/) lives outside the core namespace.
i18n_urlpatterns = [path("i18n/", include("django.conf.urls.i18n"))]
