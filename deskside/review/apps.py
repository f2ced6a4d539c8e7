from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "deskside.review"
    label = "review"
    verbose_name = "Daily review and wall board"
