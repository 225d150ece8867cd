"""Benchmark: what a respondent's phone downloads for the questionnaire (issue #25 §3).

    .venv/bin/python bench/page_weight.py

Runs the demo under gunicorn (static files collected and pre-compressed by WhiteNoise, pages gzipped
by Django) and, for one open code of each respondent type, fetches what a browser fetches with
`Accept-Encoding: gzip, br`: the first visit (the page, its scripts and style, the service worker and
the whole questionnaire in one document, which the first visit keeps on the device) and each further
page (its HTML, and the sync request of one answer given on it). The worker's own copies of the
static files come from the browser's cache (WhiteNoise sends hashed names as immutable), so they
cost nothing on the wire and are not counted. Bytes are the compressed bodies plus the response
headers. Goal: first visit ≤ 30 KB, each further page ≤ 5 KB. Results are appended to
bench/results/page_weight.jsonl.
"""

import json
import re
import urllib.request
from http.cookiejar import CookieJar

from common import demo_server, record, setup_django, stamp

FIRST_BUDGET, PAGE_BUDGET = 30 * 1024, 5 * 1024


class Phone:
    """A browser's downloads, counted: compressed body and headers of every response."""

    def __init__(self, base):
        self.base, self.cookies = base, CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept-Encoding": "gzip, br"})
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with self.opener.open(request, timeout=30) as response:
            body = response.read()
            head = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
            encoding = response.headers.get("Content-Encoding", "")
        return body, len(body) + head, encoding

    def text(self, body, encoding):
        import gzip

        return (gzip.decompress(body) if encoding == "gzip" else body).decode()


def weigh(base, code):
    phone = Phone(base)
    body, size, encoding = phone.get(f"/r/{code}/")
    html = phone.text(body, encoding)
    first = {"page": size}
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        first[asset.split("/")[-1]] = phone.get(asset)[1]
    worker = re.search(r'data-worker="([^"]+)"', html).group(1)
    first["service worker"] = phone.get(worker)[1]
    offline = json.loads(re.search(r'<script id="offline-map" type="application/json">(.*?)</script>', html).group(1))
    first["whole questionnaire, kept on the device"] = phone.get(offline["whole"])[1]
    csrf = next(c.value for c in phone.cookies if c.name == "csrftoken")
    question = offline["questions"][0][0]
    answer = json.dumps(
        {"answers": [{"key": "bench1", "question": question, "values": [], "client_time": "2026-01-01T00:00:00Z"}]}
    ).encode()
    sync = phone.get(
        offline["address"] + "sync/", data=answer, headers={"Content-Type": "application/json", "X-CSRFToken": csrf}
    )[1]
    further = [phone.get(url)[1] for url in offline["pages"]]
    return {
        "questions": sum(len(page) for page in offline["questions"]),
        "pages": len(offline["pages"]),
        "first_visit_bytes": sum(first.values()),
        "first_visit": first,
        "further_page_bytes_max": max(further),
        "sync_of_one_answer_bytes": sync,
    }


def main():
    with demo_server("page-weight") as (base, env, backend, _worker):
        setup_django(env)
        from mutu.mapping.models import Respondent

        codes = {}
        for respondent in Respondent.objects.filter(submitted_at=None).order_by("pk"):
            codes.setdefault(respondent.respondent_type, respondent.code)
        types = {rtype: weigh(base, code) for rtype, code in sorted(codes.items())}
    first = max(t["first_visit_bytes"] for t in types.values())
    further = max(t["further_page_bytes_max"] for t in types.values())
    record(
        "page_weight",
        {
            **stamp(),
            "backend": backend,
            "by_respondent_type": types,
            "first_visit_bytes_max": first,
            "first_visit_share_of_budget": round(first / FIRST_BUDGET, 2),
            "further_page_bytes_max": further,
            "further_page_share_of_budget": round(further / PAGE_BUDGET, 2),
            "goal_met": first <= FIRST_BUDGET and further <= PAGE_BUDGET,
        },
    )


if __name__ == "__main__":
    main()
