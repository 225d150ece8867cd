"""Log-in: django-axes locks a username tried from one address; on top of that, many failed log-ins
from one client address, whatever the usernames (password spraying), lock that address for the
rest of the window (django-ratelimit, keyed like every throttle on `core.network.client_ip`)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from mutu.core.throttle import address_usage, locked_minutes

from .forms import LoginForm


def _address_usage(request, increment=False):
    return address_usage(
        request,
        "login-address",
        settings.MUTU_LOGIN_ADDRESS_ATTEMPTS,
        settings.MUTU_LOGIN_ADDRESS_WINDOW_SECONDS,
        increment=increment,
    )


@receiver(user_login_failed)
def count_failed_login(sender, credentials, request=None, **kwargs):
    if request is not None:
        _address_usage(request, increment=True)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        minutes = locked_minutes(_address_usage(request))
        if minutes:
            return render(request, "registration/address_locked.html", {"minutes": minutes}, status=429)
        return super().post(request, *args, **kwargs)
