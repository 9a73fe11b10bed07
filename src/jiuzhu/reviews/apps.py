from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "jiuzhu.reviews"
    label = "reviews"
    verbose_name = "民主评议"
