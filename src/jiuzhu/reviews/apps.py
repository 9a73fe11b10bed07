from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "jiuzhu.reviews"
    label = "reviews"
    verbose_name = "民主评议"

    def ready(self) -> None:
        from jiuzhu.reviews import receivers  # noqa: F401  (demo panel on seed_demo)
