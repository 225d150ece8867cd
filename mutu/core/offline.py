"""The service worker of the pages used without signal: the respondent's questionnaire (/r/) and the
participant's check-in (/hadir/). One script, served at each of the two addresses, since a worker's
scope is the folder it is served from; what it keeps is in core/offline_sw.js."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods

# The static files those pages load (kept by the worker, and offered again without signal).
ASSETS = ("css/mutu.css", "js/mutu.js", "js/device.js", "js/respond.js", "js/checkin.js", "favicon.svg")
HEADER = "X-Mutu-Offline"  # how a page tells the worker what to do with it ("keep", "whole", "forget")
WHOLE = "all"  # ?page=all: the whole questionnaire in one document


@require_http_methods(["GET", "HEAD"])
def worker(request):
    """The worker's script. Its text changes with the static files it keeps (their hashed names in
    production, their content in development), which is how browsers learn to update it."""
    assets = [static(asset) for asset in ASSETS]
    version = hashlib.sha256("".join(assets).encode())
    if settings.DEBUG:  # names without a hash: the content tells a change
        for asset in ASSETS:
            version.update(Path(finders.find(asset)).read_bytes())
    response = render(
        request,
        "core/offline_sw.js",
        {
            "assets": json.dumps(assets),
            "version": version.hexdigest()[:12],
            "whole": WHOLE,
            "device": static("js/device.js"),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response
