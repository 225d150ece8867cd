"""Walk every page a persona can reach by following links, as a person clicking through Mutu would,
and report what a reader at that width meets: axe-core's serious and critical violations, a page
that scrolls sideways, a top navigation on more than one line.

Used by `test_every_page_browser.py` over the demo, and runnable against a server:
`python -m mutu.core.tests.walk http://127.0.0.1:8000 lpmp.riau` (the demo password).
"""

import sys
from urllib.parse import urldefrag, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

WIDTHS = (1280, 360)
# Links that change state, leave the page for a file or the language: not pages to look at.
SKIP_PARTS = ("/logout", "/i18n/", "/unduh", "/download", "/admin/", "/static/", "/media/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".svg", ".png", ".json")
SKIP_QUERIES = ("format=", "export=")
PER_PATTERN = 2  # pages of one URL pattern that differ only in their ids say nothing new
SERIOUS = {"serious", "critical"}

NAV_ON_ONE_LINE = """() => {
  const items = 'header.top .brand, header.top .nav > a, header.top .nav > details > summary';
  const boxes = [...document.querySelectorAll(items)].map(el => el.getBoundingClientRect())
    .filter(box => box.width && box.height);
  return Math.max(...boxes.map(box => box.top)) < Math.min(...boxes.map(box => box.bottom));
}"""


def pattern(path):
    """The URL with its numbers and codes masked: /cycle/10493948/2026/ and /cycle/10493950/2026/ alike."""
    parts = []
    for part in path.split("/"):
        parts.append("#" if any(ch.isdigit() for ch in part) else part)
    return "/".join(parts)


def links(page, origin):
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in hrefs:
        href = urldefrag(href)[0]
        split = urlsplit(href)
        if f"{split.scheme}://{split.netloc}" != origin:
            continue
        if any(part in split.path for part in SKIP_PARTS) or split.path.endswith(SKIP_SUFFIXES):
            continue
        if any(query in split.query for query in SKIP_QUERIES):
            continue
        yield href


def walk(page, base_url, username, password, *, limit=400):
    """Log in and visit every reachable page at each width; return a list of findings (strings)."""
    origin = f"{urlsplit(base_url).scheme}://{urlsplit(base_url).netloc}"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button.btn")
    axe = Axe()
    findings, seen, per_pattern = [], set(), {}
    queue = [f"{base_url}/"]
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        key = pattern(urlsplit(url).path)
        if url in seen or per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[key] = per_pattern.get(key, 0) + 1
        visited += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            try:
                response = page.goto(url)
            except PlaywrightError:  # the link is a download
                break
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                break
            where = f"{username} {width}px {urlsplit(page.url).path}"
            if response.status >= 500:
                findings.append(f"{where}: HTTP {response.status}")
                break
            results = axe.run(page, options={"resultTypes": ["violations"]})
            for violation in results.response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    findings.append(f"{where}: axe {violation['id']} ({violation['impact']}) {targets}")
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                findings.append(f"{where}: scrolls sideways by {overflow}px")
            if width == 1280 and not page.evaluate(NAV_ON_ONE_LINE):
                findings.append(f"{where}: the top navigation takes more than one line")
            if width == WIDTHS[0]:
                queue.extend(href for href in links(page, origin) if href not in seen)
    return findings, visited


if __name__ == "__main__":
    from playwright.sync_api import sync_playwright

    base, *users = sys.argv[1:]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for user in users:
            page = browser.new_context().new_page()
            found, count = walk(page, base, user, "mutu-demo-2026")
            print(f"# {user}: {count} pages, {len(found)} findings")
            print("\n".join(found))
            page.context.close()
