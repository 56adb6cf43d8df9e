from django.urls import include, path

from resilia.core import search

app_name = "core"
urlpatterns = [
    path("search/", search.search_view, name="search"),
]

# Django's language switcher (POST /i18n/setlang/) lives outside the core namespace.
i18n_urlpatterns = [path("i18n/", include("django.conf.urls.i18n"))]
