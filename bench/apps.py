from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Scale data (`seed_scale`) and the benchmark (`bench`). No models; may import every app."""

    name = "bench"
    verbose_name = "Benchmark"
