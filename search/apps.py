from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The top bar's one search over tickets, people and the service register (page, type-ahead and API). It sits
    above the apps it searches; each of them owns its own full-text index."""

    name = "search"
    verbose_name = "Search"
