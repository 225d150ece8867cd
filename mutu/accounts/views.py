"""Log-in: django-axes locks a username tried from one address; on top of that, many failed log-ins
from one client address, whatever the usernames (password spraying), lock that address for the
rest of the window (django-ratelimit, keyed like every throttle on `core.network.client_ip`)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.paginator import Paginator
from django.dispatch import receiver
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mutu.core.throttle import address_usage, locked_minutes

from . import tokens
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


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What the token is for"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = settings.MUTU_API_TOKEN_DAYS
        self.fields["days"] = forms.IntegerField(
            label=_("Valid for (days)"), min_value=1, max_value=longest, initial=longest
        )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_tokens(request):
    """The user's own API tokens (new one shown once) and, for admins, those of the users in scope."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session["new_token"] = tokens.create_token(
            user=request.user, name=form.cleaned_data["name"], actor=request.user, days=form.cleaned_data["days"]
        )
        return redirect("api_tokens")
    visible = tokens.tokens_for(request.user)
    others = Paginator(visible.exclude(user=request.user), 20).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "new_token": request.session.pop("new_token", None),
        "mine": visible.filter(user=request.user),
        "page": others,
    }
    return render(request, "registration/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = tokens.revoke_token(actor=request.user, token=get_object_or_404(tokens.tokens_for(request.user), pk=pk))
    messages.success(request, _("Token “%(name)s” of %(user)s is revoked.") % {"name": token.name, "user": token.user})
    return redirect("api_tokens")
