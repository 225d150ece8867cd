"""A respondent's first visit to the questionnaire, on a phone with a weak connection, is light: the
page, everything it loads, its service worker and the whole questionnaire it keeps for offline use are at
most 30 KB on the wire (pages gzip-compressed by Django, static files pre-compressed by WhiteNoise,
here measured with the same compression). bench/page_weight.py measures the demo's questionnaires."""

import gzip
import json
import re

from django.contrib.staticfiles import finders
from django.urls import reverse

from mutu.mapping import services

BUDGET = 30 * 1024


def test_first_visit_to_the_questionnaire_is_at_most_30_kb(client, open_round, schools):
    (slot,) = services.add_respondents(
        actor=None, round_=open_round, school=schools["a"], respondent_type="guru", count=1
    )
    response = client.get(reverse("respond:questions", args=[slot.code]), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assets = re.findall(r'(?:src|href)="/static/([^"?]+)"', html)
    assert {"css/mutu.css", "js/respond.js"} <= set(assets) and not any("htmx" in a for a in assets)
    sizes = {asset: len(gzip.compress(open(finders.find(asset), "rb").read(), 9)) for asset in assets}
    worker = client.get(reverse("respond:worker"), HTTP_ACCEPT_ENCODING="gzip")
    offline = json.loads(re.search(r'<script id="offline-map" type="application/json">(.*?)</script>', html).group(1))
    whole = client.get(offline["whole"], HTTP_ACCEPT_ENCODING="gzip")
    total = len(response.content) + sum(sizes.values()) + len(worker.content) + len(whole.content)
    assert total <= BUDGET, (len(response.content), sizes, len(worker.content), len(whole.content))
