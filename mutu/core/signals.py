"""Signals between apps that do not import each other."""

from django.dispatch import Signal

# Sent with `province_ids` once school results of these provinces changed: rapor mutu scores
# (scoring, a correction, a publication), Rapor Pendidikan achievements, or which kab/kota a school
# lies in. Apps that store aggregates of those results refresh theirs from it.
results_changed = Signal()
