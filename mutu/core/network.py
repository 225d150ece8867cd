"""The real client address behind the reverse proxies this deployment trusts."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or behind MUTU_TRUSTED_PROXIES proxies the address the outermost of them saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
    last N entries are theirs and the N-th from the right is the client; anything further left was
    sent by the client itself and can be forged.
    """
    proxies = settings.MUTU_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
