from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "insieme.demo"
    label = "demo"
    verbose_name = "Demo region"
