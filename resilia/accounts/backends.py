"""Authentication backend that refuses locked-out accounts."""

from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses users whose account is locked after repeated failures."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_locked()
