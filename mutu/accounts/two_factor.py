"""Two-factor sign-in (TOTP with recovery codes, django-otp) for those who hold a province or the nation.

Admin pusat and admin LPMP accounts, and anyone opening the Django admin, must pass a second factor
after their password wherever MUTU_REQUIRE_2FA is on (the default whenever MUTU_DEBUG is off); anyone
else may turn it on, and then passes it too. Until the factor is passed, such a session reaches only
the second-factor pages and sign-out. API tokens are a separate credential and stay as they are.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutu.core.qr import qr_svg
from mutu.core.services import record_audit

from .models import Role
from .permissions import active_memberships

RECOVERY_CODES = 10
# Reached before the second factor is passed (besides static files and the language switch).
OPEN_PATHS = ("two_factor", "two_factor_verify", "logout")


def must(user):
    """Whether the user's roles require a second factor: a national or provincial admin, or staff (the
    Django admin), where MUTU_REQUIRE_2FA is on."""
    if not settings.MUTU_REQUIRE_2FA:
        return False
    return user.is_staff or any(m.role in (Role.ADMIN_PUSAT, Role.ADMIN_LPMP) for m in active_memberships(user))


def has_device(user):
    return any(True for _device in devices_for_user(user, confirmed=True))


SESSION_KEY = "mutu_2fa_device"  # whether the session's user has a confirmed device, read at sign-in


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = has_device(user)


def required_for(request):
    """Whether the signed-in user owes a second factor: their roles require it, or they turned it on."""
    user = request.user
    if must(user):
        return True
    if SESSION_KEY not in request.session:
        request.session[SESSION_KEY] = has_device(user)
    return request.session[SESSION_KEY]


class SecondFactorMiddleware:
    """Sends a signed-in user who owes a second factor to it before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._open(request)
            and required_for(request)
        ):
            target = "two_factor_verify" if has_device(user) else "two_factor"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _open(request):
        path = request.path
        # The API answers for itself: a token is its own credential, and a session counts there only
        # once it passed the second factor (mutu.core.api.VerifiedSession).
        if path.startswith((settings.STATIC_URL, "/i18n/", "/healthz", "/api/")):
            return True
        return path in {reverse(name) for name in OPEN_PATHS}


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return reverse("home")
    return target


def _new_recovery_codes(user):
    """Ten single-use recovery codes, replacing any earlier ones; shown once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def setup(request):
    """The user's second factor: set up an authenticator app (QR code and key, confirmed with a code
    it shows), see the recovery codes once, make new ones, or turn it off where it is not required."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        pending = pending or TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
        if request.method == "POST":
            allowed, _why = pending.verify_is_allowed()  # before: a wrong code makes the device wait
            if pending.verify_token(request.POST.get("token", "").replace(" ", "")):
                with transaction.atomic():
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    request.session["recovery_codes"] = _new_recovery_codes(request.user)
                    record_audit(actor=request.user, action="account.2fa.on", obj=request.user)
                otp_login(request, pending)
                request.session[SESSION_KEY] = True
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect(f"{reverse('two_factor')}?next={_next(request)}")
            messages.error(
                request,
                _("That code is not right: type the 6 digits your app shows now.")
                if allowed
                else _("The device asks you to wait a moment after a wrong code: try again in a few seconds."),
            )
        context = {"qr": qr_svg(pending.config_url), "secret": _base32(pending.bin_key), "next": _next(request)}
        return render(request, "registration/two_factor_setup.html", context)
    context = {
        "device": device,
        "codes": request.session.pop("recovery_codes", None),
        "left": StaticToken.objects.filter(device__user=request.user).count(),
        "required": must(request.user),
        "next": _next(request),
    }
    return render(request, "registration/two_factor.html", context)


def _base32(key):
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
@require_POST
def recovery(request):
    """New recovery codes (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    with transaction.atomic():
        request.session["recovery_codes"] = _new_recovery_codes(request.user)
        record_audit(actor=request.user, action="account.2fa.codes", obj=request.user)
    return redirect("two_factor")


@login_required
@require_POST
def turn_off(request):
    """Turn two-factor sign-in off, where the user's roles do not require it."""
    if must(request.user):
        messages.error(request, _("Your role requires two-factor sign-in: it stays on."))
        return redirect("two_factor")
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        StaticDevice.objects.filter(user=request.user).delete()
        record_audit(actor=request.user, action="account.2fa.off", obj=request.user)
    request.session[SESSION_KEY] = False
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """The second step of signing in: a code from the authenticator app, or a recovery code. The
    devices throttle wrong codes themselves (each failure doubles the wait)."""
    if request.user.is_verified() or not has_device(request.user):
        return redirect(_next(request) if request.user.is_verified() else f"{reverse('two_factor')}")
    error = None
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").replace(" ", "").lower())
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, _("You signed in with a recovery code; it cannot be used again."))
            return redirect(_next(request))
        error = _("That code is not right, or was used already. Wait a moment before trying again.")
    return render(request, "registration/two_factor_verify.html", {"error": error, "next": _next(request)})
