from django.contrib.auth.backends import ModelBackend


class LockoutAwareBackend(ModelBackend):
    pass
