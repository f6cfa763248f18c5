from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "authorities"
