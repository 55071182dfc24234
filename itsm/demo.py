"""Demo data loaders, registered by each app from its AppConfig.ready() and run by `manage.py seed_demo` in the
order of INSTALLED_APPS (a higher app's demo rows use a lower app's)."""

from collections.abc import Callable

_loaders: dict[str, Callable[..., None]] = {}


def register_demo_data(app_label: str, loader: Callable[..., None]) -> None:
    """`loader(*, user, out)` writes the app's demo rows through its services; it must be safe to run again."""
    _loaders[app_label] = loader


def demo_loaders() -> list[Callable[..., None]]:
    return list(_loaders.values())
