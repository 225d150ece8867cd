"""A refused form never eats what was typed (KeepTypedMiddleware, restored by static/js/mutu.js)."""


def test_a_refused_form_comes_back_with_what_was_typed_but_never_a_password(client, personas):
    """KeepTypedMiddleware: the POST of a refused form waits in the session for the next page only."""
    import json
    import re

    from django.urls import reverse

    client.force_login(personas["kepsek_a"])
    url = reverse("api_tokens")
    client.post(reverse("password_change"), {"old_password": "salah", "new_password1": "x"})  # re-rendered, kept
    assert "typed" not in client.session  # a form shown again with its errors needs nothing kept
    from mutu.cycle import services

    cycle = services.start_cycle(actor=personas["kepsek_a"], school=personas["kepsek_a"].memberships.get().school,
                                 year=services.school_years(__import__("datetime").date.today())[0])  # fmt: skip
    move = reverse("cycle:move", args=[cycle.school.npsn, cycle.year, "pemetaan", "submit"])
    client.post(move, {"comment": "<script>alert(1)</script>", "password": "rahasia"})  # refused: nothing analysed
    assert client.session["typed"]["data"] == {"comment": ["<script>alert(1)</script>"]}
    page = client.get(reverse("cycle:school", args=[cycle.school.npsn, cycle.year])).content.decode()
    kept = json.loads(re.search(r'<script id="typed-input" type="application/json">(.*?)</script>', page).group(1))
    assert kept["action"] == move and "<script>alert" not in page  # JSON-escaped, never markup
    assert "typed" not in client.session  # once
    assert "typed-input" not in client.get(url).content.decode()
