"""Authentication backend that refuses a name locked out for the client's address."""

from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a name while failures from this client address lock it.

    The lock holds per account and address (`accounts.LoginLock`): the same account still
    signs in from elsewhere.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        from resilia.accounts.services import login_locked

        if username is not None and login_locked(username=username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
