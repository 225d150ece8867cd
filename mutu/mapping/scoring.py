"""The rapor mutu scoring engine (PMP 2019 formula), vectorised with NumPy.

For respondent u of role r and sub-indicator k:
    X(u,k) = Σ conversion weights of the options u chose that map to k
    Y(r,k) = mean of X(u,k) over the school's respondents of role r
    S(k)   = 7 × Σ_r w(k,r) Y(r,k) / Σ_r w(k,r), both sums over the roles present at the school and
             asked about k (the role's questionnaire for the school's jenjang converts into k)
indicator = mean of its sub-indicators; standard = mean of all its sub-indicators;
school = mean of the standards; missing values (NaN) are left out, never counted as 0.
A pengawas's correction of S(k) (verval) replaces it before the means are taken.
The level is decided on the school score as published: rounded half up to 2 decimals.

Y is never built per respondent: each batch of responses is one array of option ids, and its
Σ_u X(u,k) per (school, role) is a single weighted bincount added to the slice's tally.
Each province is scored in a short-lived child process (see `score_round`).
"""

import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

import numpy as np
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from mutu.core import jobs
from mutu.core.signals import results_changed
from mutu.instruments.models import LevelBand, Node, Option, RespondentType, RoleWeight
from mutu.regions.models import District, Province, Regency
from mutu.schools.models import School

from .models import (
    ExternalValue,
    Milestone,
    PendingScore,
    RegionScore,
    Respondent,
    Round,
    SchoolScore,
    ScoringPart,
    Verification,
)

ENGINE = "pmp2019-v1"
PR_SET_PDEATHSIG = 1  # prctl(2)
TYPES = list(RespondentType.values)
SCALE = 7.0
# Schools scored together (their sums, scores and flags), and responses decoded at a time (≈100
# answers each): both bound memory by a fixed size whatever the province or nation holds.
CHUNK_SCHOOLS = 500
RESPONSE_BATCH = 1000
STRAIGHT_SHARE = 0.9  # one option position for at least 90% of a respondent's answers …
STRAIGHT_MIN_ANSWERS = 10  # … over at least this many answers
DISAGREEMENT_GAP = 2.5  # respondent groups further apart than this on a standard (0–7 scale)
CENTS = Decimal("0.01")


@dataclass
class Matrix:
    """An instrument version as arrays: node order, conversions, role weights, aggregation, bands."""

    node_ids: np.ndarray  # N, in Node.position order
    node_codes: list
    node_kinds: list
    sub_nodes: np.ndarray  # K: positions (in N) of the sub-indicators
    option_sub: np.ndarray  # option id → k, or -1
    option_weight: np.ndarray  # option id → weight
    weights: np.ndarray  # K × R role weights
    external: np.ndarray  # K bools: fed by outside data, not questionnaires
    members: np.ndarray  # K × N: 1 where sub-indicator k belongs under node n (itself included)
    standards: np.ndarray  # positions (in N) of the standards
    band_uppers: np.ndarray  # ascending; the last band is open-ended
    band_names: list
    option_rank: np.ndarray  # option id → its position within its question (for straight-lining)
    option_cell: np.ndarray  # option id → k, or K (a spare column) where it converts to nothing
    rank_width: int  # positions within a question: 1 + the highest
    levels: dict  # jenjang → its row in `asked`
    asked: np.ndarray  # (jenjang + 1) × R × K: role r's questionnaire for the jenjang converts into k;
    # the last row (no questionnaire at all) asks nothing

    def asked_for(self, levels):
        """n_schools × R × K: which roles were asked about which sub-indicator, per school's jenjang."""
        rows = np.array([self.levels.get(level, len(self.levels)) for level in levels], dtype=np.int64)
        return self.asked[rows]


def load_matrix(version):
    nodes = list(
        Node.objects.filter(version=version).order_by("position").values_list("id", "code", "kind", "parent_id")
    )
    node_ids = np.array([n[0] for n in nodes], dtype=np.int64)
    position = {n[0]: i for i, n in enumerate(nodes)}
    parent = {n[0]: n[3] for n in nodes}
    subs = [i for i, n in enumerate(nodes) if n[2] == Node.Kind.SUBINDICATOR]
    k_of_node = {nodes[i][0]: k for k, i in enumerate(subs)}
    members = np.zeros((len(subs), len(nodes)))
    for k, i in enumerate(subs):
        node_id = nodes[i][0]
        while node_id is not None:
            members[k, position[node_id]] = 1
            node_id = parent[node_id]
    weights = np.zeros((len(subs), len(TYPES)))
    for node_id, rtype, weight in RoleWeight.objects.filter(node__version=version).values_list(
        "node_id", "respondent_type", "weight"
    ):
        weights[k_of_node[node_id], TYPES.index(rtype)] = weight
    options = list(
        Option.objects.filter(question__questionnaire__version=version, subindicator__isnull=False).values_list(
            "id", "subindicator_id", "weight"
        )
    )
    size = max((o[0] for o in options), default=0) + 1
    option_sub = np.full(size, -1, dtype=np.int32)
    option_weight = np.zeros(size)
    for option_id, node_id, weight in options:
        option_sub[option_id] = k_of_node[node_id]
        option_weight[option_id] = weight
    option_rank = np.zeros(size, dtype=np.int64)
    for option_id, rank in Option.objects.filter(question__questionnaire__version=version, id__lt=size).values_list(
        "id", "position"
    ):
        option_rank[option_id] = rank
    levels = {}
    asked_rows = []
    for level, rtype, node_id in (
        Option.objects.filter(question__questionnaire__version=version, subindicator__isnull=False)
        .values_list("question__questionnaire__level", "question__questionnaire__respondent_type", "subindicator_id")
        .distinct()
    ):
        if level not in levels:
            levels[level] = len(asked_rows)
            asked_rows.append(np.zeros((len(TYPES), len(subs)), dtype=bool))
        asked_rows[levels[level]][TYPES.index(rtype), k_of_node[node_id]] = True
    asked = np.stack(asked_rows + [np.zeros((len(TYPES), len(subs)), dtype=bool)])
    sources = dict(Node.objects.filter(version=version).values_list("id", "source"))
    bands = list(LevelBand.objects.filter(version=version).order_by("position").values_list("name", "upper"))
    return Matrix(
        node_ids=node_ids,
        node_codes=[n[1] for n in nodes],
        node_kinds=[n[2] for n in nodes],
        sub_nodes=np.array(subs, dtype=np.int64),
        option_sub=option_sub,
        option_weight=option_weight,
        weights=weights,
        external=np.array([sources[nodes[i][0]] == Node.Source.EXTERNAL for i in subs], dtype=bool),
        members=members,
        standards=np.array([i for i, n in enumerate(nodes) if n[2] == Node.Kind.STANDARD], dtype=np.int64),
        band_uppers=np.array([b[1] for b in bands[:-1]], dtype=float),
        band_names=[b[0] for b in bands],
        option_rank=option_rank,
        option_cell=np.where(option_sub >= 0, option_sub, len(subs)).astype(np.int64),
        rank_width=int(option_rank.max()) + 1,
        levels=levels,
        asked=asked,
    )


@dataclass
class Tally:
    """What the formula needs from the answers of a slice of schools, summed batch after batch:
    Σ X per (school, role, sub-indicator), respondents per (school, role), straight-liners per school."""

    sums: np.ndarray  # n_schools × R × K
    present: np.ndarray  # n_schools × R
    straight: np.ndarray  # n_schools

    @classmethod
    def empty(cls, matrix, n_schools):
        n_types = len(TYPES)
        return cls(
            sums=np.zeros((n_schools, n_types, len(matrix.sub_nodes))),
            present=np.zeros((n_schools, n_types), dtype=np.int64),
            straight=np.zeros(n_schools, dtype=np.int64),
        )

    def add(self, matrix, resp_school, resp_type, lengths, option_ids):
        """Add a batch of respondents: their school rows and role indices (into TYPES), the number of
        options each chose, and all chosen option ids, respondent after respondent."""
        n_schools, n_types, n_subs = self.sums.shape
        groups = resp_school.astype(np.int64) * n_types + resp_type
        self.present += np.bincount(groups, minlength=n_schools * n_types).reshape(n_schools, n_types)
        option_ids = np.asarray(option_ids)
        if len(option_ids) and option_ids.max() >= len(matrix.option_sub):
            # An id beyond the instrument's options: treat it as id 0, which no option has (no conversion).
            option_ids = np.where(option_ids < len(matrix.option_sub), option_ids, 0)
        # Options converting to nothing land in a spare column K that is dropped: no filtering per answer.
        cell = np.repeat(groups * (n_subs + 1), lengths) + matrix.option_cell[option_ids]
        summed = np.bincount(
            cell, weights=matrix.option_weight[option_ids], minlength=n_schools * n_types * (n_subs + 1)
        )
        self.sums += summed.reshape(n_schools, n_types, n_subs + 1)[:, :, :n_subs]
        if len(lengths):
            width = matrix.rank_width
            slots = np.repeat(np.arange(len(lengths)) * width, lengths) + matrix.option_rank[option_ids]
            per_rank = np.bincount(slots, minlength=len(lengths) * width).reshape(-1, width)
            with np.errstate(invalid="ignore", divide="ignore"):
                straight = (lengths >= STRAIGHT_MIN_ANSWERS) & (per_rank.max(axis=1) / lengths >= STRAIGHT_SHARE)
            self.straight += np.bincount(resp_school[straight], minlength=n_schools)
        return self


def compute(matrix, levels, resp_school, resp_type, lengths, option_ids, external=None):
    """Node scores (one row per school of `levels`, the schools' jenjang; NaN = missing) from one flat
    answer array (see `Tally.add`)."""
    tally = Tally.empty(matrix, len(levels)).add(matrix, resp_school, resp_type, lengths, option_ids)
    return scores(matrix, tally, levels, external)[0]


def scores(matrix, tally, levels, external=None, corrections=None):
    """Node scores (n_schools × N, NaN = missing) and Y(r,k) (NaN where role r is absent or not asked
    about k) from a tally. external: optional n_schools × K outside values; corrections: optional
    n_schools × K verval corrections; both NaN where absent."""
    asked = matrix.asked_for(levels)  # S × R × K
    counted = asked & (tally.present > 0)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(counted, tally.sums / tally.present[:, :, None], np.nan)
        numerator = np.einsum("srk,kr->sk", np.nan_to_num(y), matrix.weights)
        denominator = np.einsum("srk,kr->sk", counted.astype(float), matrix.weights)
        s = SCALE * numerator / denominator
    s[:, matrix.external] = np.nan
    if external is not None:
        s[:, matrix.external] = external[:, matrix.external]
    s = np.clip(s, 0, SCALE)
    if corrections is not None:
        s = np.where(np.isnan(corrections), s, corrections)
    return aggregate(matrix, s), y


def aggregate(matrix, s):
    """Every node from the sub-indicator scores (n_schools × K): the mean of the sub-indicators under it
    (standards too: not the mean of their indicators)."""
    filled = ~np.isnan(s)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.where(filled, s, 0) @ matrix.members) / (filled.astype(float) @ matrix.members)


def published(score):
    """A score as the rapor shows it: rounded half up to 2 decimals, from its shortest decimal form
    (3.6999999999999997 is 3.70; 2.045 is 2.05, though the float lies just below)."""
    return float(Decimal(repr(float(score))).quantize(CENTS, rounding=ROUND_HALF_UP))


def totals_and_levels(matrix, values):
    """School score (mean of the standards present), that score as published, and the level of the
    published score (index into the bands; NaN totals get the last index and are never stored)."""
    standards = values[:, matrix.standards]
    counts = (~np.isnan(standards)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        totals = np.nansum(standards, axis=1) / counts
    totals[counts == 0] = np.nan
    shown = np.array([np.nan if np.isnan(t) else published(t) for t in totals])
    levels = np.searchsorted(matrix.band_uppers, shown, side="left")
    return totals, shown, levels


def level_of(matrix, score):
    """The level of a score as published (see `published`)."""
    return int(np.searchsorted(matrix.band_uppers, published(score), side="left"))


def respondent_batches(round_, school_ids):
    """One pass over the submitted responses of these schools (sorted ids), RESPONSE_BATCH at a time,
    as the flat arrays `Tally.add` takes. Read with a plain cursor, not model rows; on PostgreSQL in
    binary, since decoding bytea from its hex text form costs several times the scoring itself."""
    ids = [int(i) for i in school_ids]
    sql = (
        f"SELECT school_id, respondent_type, packed FROM {connection.ops.quote_name(Respondent._meta.db_table)}"
        " WHERE round_id = %s AND submitted_at IS NOT NULL AND school_id "
    )
    if connection.vendor == "postgresql":  # one array parameter: no 500-value list to parse and plan
        sql, params = sql + "= ANY(%s)", [round_.pk, ids]
    else:
        sql, params = sql + f"IN ({', '.join(['%s'] * len(ids))})", [round_.pk, *ids]
    type_index = {t: i for i, t in enumerate(TYPES)}
    for batch in fetch_batches(sql, params, RESPONSE_BATCH):
        yield (
            np.searchsorted(school_ids, np.fromiter((r[0] for r in batch), np.int64, len(batch))),
            np.fromiter((type_index[r[1]] for r in batch), np.int64, len(batch)),
            np.fromiter((len(r[2]) // 4 for r in batch), np.int64, len(batch)),
            np.frombuffer(b"".join(r[2] for r in batch), dtype="<i4"),
        )


def fetch_batches(sql, params, size):
    """The rows of a query, `size` at a time, through a plain cursor. On PostgreSQL the cursor binds
    on the server and asks for binary results (Django's own psycopg cursors bind on the client, which
    rules binary out), so bytea arrives as bytes instead of hex text to decode."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, binary=True)
            while batch := cursor.fetchmany(size):
                yield batch
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield batch


def _sub_table(matrix, school_ids, rows):
    """n_schools × K from (school id, sub-indicator node id, value) rows, NaN where none is given."""
    k_of_node = {int(matrix.node_ids[i]): k for k, i in enumerate(matrix.sub_nodes)}
    table = np.full((len(school_ids), len(matrix.sub_nodes)), np.nan)
    for school_id, node_id, value in rows:
        table[np.searchsorted(school_ids, school_id), k_of_node[node_id]] = value
    return table


def _external(round_, matrix, school_ids):
    if not matrix.external.any():
        return None
    rows = ExternalValue.objects.filter(round=round_, school_id__in=school_ids).values_list(
        "school_id", "node_id", "value"
    )
    return _sub_table(matrix, school_ids, rows.iterator(chunk_size=10000))


@dataclass
class Accumulator:
    """Sums and counts per region for the means over schools with a rapor."""

    n_nodes: int
    n_bands: int

    def __post_init__(self):
        self.groups = {}

    def add(self, key, values, totals, levels, schools):
        scored = ~np.isnan(totals)
        self.merge(
            key,
            (
                np.nansum(values[scored], axis=0),
                (~np.isnan(values[scored])).sum(axis=0),
                float(totals[scored].sum()),
                int(scored.sum()),
                np.bincount(levels[scored], minlength=self.n_bands),
                schools,
            ),
        )

    def merge(self, key, part):
        """Add sums for `key`: (node sums, node counts, total sum, schools with rapor, per level, schools)."""
        if key in self.groups:
            part = tuple(mine + theirs for mine, theirs in zip(self.groups[key], part, strict=True))
        self.groups[key] = part

    def pop_rows(self, round_, kinds, keep=()):
        """Region rows of the given kinds but not the `keep` keys, forgotten once handed over."""
        for key in [key for key in self.groups if key[0] in kinds and key not in keep]:
            kind, code = key
            sums, counts, total_sum, total_count, level_counts, n = self.groups.pop(key)
            with np.errstate(invalid="ignore", divide="ignore"):
                means = sums / counts
            yield RegionScore(
                round=round_,
                engine=ENGINE,
                kind=kind,
                code=code,
                values=means.astype("<f8").tobytes(),
                total=total_sum / total_count if total_count else None,
                schools=n,
                with_rapor=total_count,
                level_counts=[int(c) for c in level_counts],
            )


def quality_flags(matrix, tally, y, quotas, values):
    """Data-quality notes per school: quotas not met, straight-liners, disagreeing groups, missing outside data."""
    present = tally.present
    flags = [[] for _ in range(len(present))]
    for s_idx, t_idx in zip(*np.nonzero(present < quotas), strict=True):
        flags[s_idx].append(
            {
                "kind": "quota",
                "type": TYPES[t_idx],
                "sent": int(present[s_idx, t_idx]),
                "quota": int(quotas[s_idx, t_idx]),
            }
        )
    for s_idx in np.flatnonzero(tally.straight):
        flags[s_idx].append({"kind": "straight", "count": int(tally.straight[s_idx])})
    # Each role's own view of a standard: the mean of its Y over the weighted sub-indicators it was asked.
    viewed = (~np.isnan(y) & (matrix.weights.T > 0)[None]).astype(float)  # S × R × K
    standard_of_sub = matrix.members[:, matrix.standards]  # K × 8
    with np.errstate(invalid="ignore", divide="ignore"):
        role_view = (
            SCALE
            * np.einsum("srk,srk,kd->srd", np.nan_to_num(y), viewed, standard_of_sub)
            / np.einsum("srk,kd->srd", viewed, standard_of_sub)
        )
    # Groups too small to stay anonymous take no part (one kepala sekolah's view would be his answers).
    role_view[present < settings.MUTU_MIN_GROUP_SIZE] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: a school with no respondents
        gaps = np.nanmax(role_view, axis=1) - np.nanmin(role_view, axis=1)
    for s_idx, d_idx in zip(*np.nonzero(gaps > DISAGREEMENT_GAP), strict=True):
        flags[s_idx].append(
            {
                "kind": "disagree",
                "standard": matrix.node_codes[matrix.standards[d_idx]],
                "gap": round(float(gaps[s_idx, d_idx]), 2),
            }
        )
    external = matrix.sub_nodes[matrix.external]
    for s_idx in range(len(present)):
        missing = [matrix.node_codes[i] for i in external if np.isnan(values[s_idx, i])]
        if missing:
            flags[s_idx].append({"kind": "external", "codes": missing})
    return flags


# Regions a school row (id, kecamatan, kab/kota, province, jenjang) belongs to: column, kind.
REGION_COLUMNS = ((1, RegionScore.Kind.DISTRICT), (2, RegionScore.Kind.REGENCY), (3, RegionScore.Kind.PROVINCE))
NATION = (RegionScore.Kind.NATION, "")


def _corrections(round_, matrix, school_ids):
    """n_schools × K of the pengawas's corrected scores (verval), NaN where the engine's value stands;
    None when no school of the slice has a correction."""
    rows = list(
        Verification.objects.filter(round=round_, school_id__in=school_ids, agreed=False).values_list(
            "school_id", "node_id", "corrected"
        )
    )
    return _sub_table(matrix, school_ids, rows) if rows else None


SCORE_COLUMNS = [
    "round",
    "school",
    "engine",
    "values",
    "total",
    "total_published",
    "level",
    "original_values",
    "original_total",
    "respondents",
    "flags",
    "flag_count",
    "computed_at",
]


def insert_rows(model, fields, rows, skip_existing=False):
    """INSERT rows (tuples of Python values in `fields` order) without building a model object each:
    COPY on PostgreSQL, executemany per 1,000 rows on SQLite. skip_existing: rows clashing with a
    unique constraint are left out (ON CONFLICT DO NOTHING, by executemany on both backends)."""
    columns = [model._meta.get_field(name) for name in fields]
    database = connections[DEFAULT_DB_ALIAS]  # once: each access of the `connection` proxy costs a lookup
    quote = database.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column.column) for column in columns)
    # Only these need the backend's form (JSON, bytes, time zone); numbers, text and ids pass as they are.
    prepare = [
        (lambda value, column=column: column.get_db_prep_save(value, database))
        if column.get_internal_type() in ("JSONField", "BinaryField", "DateTimeField")
        else None
        for column in columns
    ]
    prepared = ([value if how is None else how(value) for how, value in zip(prepare, row, strict=True)] for row in rows)
    with database.cursor() as cursor:
        if database.vendor == "postgresql" and not skip_existing:
            # COPY in binary: one stream instead of a statement per row, and bytes not spelt in hex.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([column.db_type(database).split("(")[0] for column in columns])
                for row in prepared:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders}){conflict}"
        while batch := list(islice(prepared, 1000)):
            cursor.executemany(sql, batch)


def _stored(value):
    return None if np.isnan(value) else float(value)


def _score_schools(round_, matrix, schools, regions=None):
    """Score one slice of schools, store their rapor, feed the regional sums (if given)."""
    schools = sorted(schools)  # by id: responses are matched to schools with searchsorted
    school_ids = np.array([s[0] for s in schools], dtype=np.int64)
    tally = Tally.empty(matrix, len(school_ids))
    for batch in respondent_batches(round_, school_ids):
        tally.add(matrix, *batch)
    levels_of_schools = [s[4] for s in schools]
    external = _external(round_, matrix, school_ids)
    corrections = _corrections(round_, matrix, school_ids)
    values, y = scores(matrix, tally, levels_of_schools, external, corrections)
    totals, shown, levels = totals_and_levels(matrix, values)
    sent = tally.present.sum(axis=1) > 0
    totals[~sent] = np.nan  # no response at all: "tidak kirim", whatever outside data exists
    corrected = np.zeros(len(school_ids), dtype=bool)
    if corrections is not None:  # the engine's own values are kept beside the corrected ones
        corrected = ~np.isnan(corrections).all(axis=1)
        original, _y = scores(matrix, tally, levels_of_schools, external)
        original_totals = totals_and_levels(matrix, original)[0]
    quota_of = {level: [round_.quota(level, t) for t in TYPES] for level in set(levels_of_schools)}
    quotas = np.array([quota_of[level] for level in levels_of_schools]).reshape(len(schools), len(TYPES))
    flags = quality_flags(matrix, tally, y, quotas, values)
    now = timezone.now()
    rows = [
        (
            round_.pk,
            int(school_ids[i]),
            ENGINE,
            values[i].astype("<f8").tobytes(),
            _stored(totals[i]),
            _stored(shown[i]),
            None if np.isnan(shown[i]) else int(levels[i]),
            original[i].astype("<f8").tobytes() if corrected[i] else None,
            _stored(original_totals[i]) if corrected[i] else None,
            {t: int(c) for t, c in zip(TYPES, tally.present[i], strict=True) if c},
            flags[i],
            len(flags[i]),
            now,
        )
        for i in np.flatnonzero(sent)
    ]
    held = _published_scores(round_, school_ids.tolist())
    SchoolScore.objects.filter(round=round_, engine=ENGINE, school_id__in=school_ids).exclude(
        school_id__in=held
    ).delete()
    insert_rows(SchoolScore, SCORE_COLUMNS, (row for row in rows if row[1] not in held))
    _hold_pending(round_, [row for row in rows if row[1] in held], held)
    for i, school_id in enumerate(school_ids.tolist()):  # regions count what was published
        if school_id in held:
            stored_values, total, level = held[school_id]
            values[i], totals[i], levels[i] = np.frombuffer(stored_values, dtype="<f8"), _nan(total), level or 0
    # "Responses complete" is reached live, when the last quota is met (services.refresh_progress).
    reached = set(
        Milestone.objects.filter(
            round=round_, step=Milestone.Step.SCORED, school_id__in=school_ids.tolist()
        ).values_list("school_id", flat=True)
    )
    insert_rows(
        Milestone,
        ["round", "school", "step", "at"],
        (
            (round_.pk, int(school_ids[i]), Milestone.Step.SCORED.value, now)
            for i in np.flatnonzero(sent)
            if int(school_ids[i]) not in reached
        ),
        skip_existing=True,
    )
    if regions is not None:
        _feed_regions(regions, schools, values, totals, levels)
    return int(sent.sum())


def _nan(value):
    return np.nan if value is None else value


def _published_scores(round_, school_ids):
    """{school id: (values, total, level)} of the published rapor among the schools: a re-score
    never overwrites them (see `_hold_pending`)."""
    published = Milestone.objects.filter(round=round_, step=Milestone.Step.PUBLISHED, school_id__in=school_ids)
    return {
        school_id: (bytes(values), total, level)
        for school_id, values, total, level in SchoolScore.objects.filter(
            round=round_, engine=ENGINE, school_id__in=published.values("school_id")
        ).values_list("school_id", "values", "total", "level")
    }


def same_scores(a, b):
    """Whether two packed score vectors hold the same scores: sums taken in another order differ in
    the last bits (5.493658624556046 against …045), which is no change a rapor could show."""
    a, b = np.frombuffer(a, dtype="<f8"), np.frombuffer(b, dtype="<f8")
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=1e-9, equal_nan=True))


def _hold_pending(round_, rows, held):
    """Keep the new scores of published schools beside their rapor as provisional versions (rows in
    SCORE_COLUMNS order). A score equal to the published one removes the pending version, unless the
    rapor was reopened on purpose; a version set aside stays set aside while its scores are the same."""
    existing = {
        pending.school_id: pending
        for pending in PendingScore.objects.filter(round=round_, engine=ENGINE, school_id__in=[r[1] for r in rows])
    }
    fresh = []
    for row in rows:
        fields = dict(zip(SCORE_COLUMNS, row, strict=True))
        fields.update(round_id=fields.pop("round"), school_id=fields.pop("school"))
        old = existing.get(fields["school_id"])
        if same_scores(fields["values"], held[fields["school_id"]][0]) and not (old and old.reopened_by_id):
            continue
        pending = PendingScore(**fields)
        if old:
            pending.reopened_by_id, pending.reopen_reason = old.reopened_by_id, old.reopen_reason
            if same_scores(bytes(old.values), fields["values"]):
                pending.set_aside_by_id, pending.set_aside_reason = old.set_aside_by_id, old.set_aside_reason
                pending.set_aside_at = old.set_aside_at
        fresh.append(pending)
    PendingScore.objects.filter(pk__in=[p.pk for p in existing.values()]).delete()
    PendingScore.objects.bulk_create(fresh)


def _feed_regions(regions, schools, values, totals, levels):
    """Add a slice of schools (rows as `_score_province` reads them) to the sums of their regions."""
    for column, kind in REGION_COLUMNS:
        codes = np.array([s[column] for s in schools])
        for code in np.unique(codes):
            mask = codes == code
            regions.add((kind, str(code)), values[mask], totals[mask], levels[mask], int(mask.sum()))
    regions.add(NATION, values, totals, levels, len(schools))


def _stored_schools(round_, matrix, schools, regions):
    """Feed the regional sums from the stored rapor of a slice of schools (after a verval correction)."""
    schools = sorted(schools)
    stored = {
        school_id: (values, total, level)
        for school_id, values, total, level in SchoolScore.objects.filter(
            round=round_, engine=ENGINE, school_id__in=[s[0] for s in schools]
        ).values_list("school_id", "values", "total", "level")
    }
    no_rapor = (None, None, 0)
    rows = [stored.get(s[0], no_rapor) for s in schools]
    empty = np.full(len(matrix.node_ids), np.nan)
    values = np.array([empty if v is None else np.frombuffer(bytes(v), dtype="<f8") for v, _t, _l in rows])
    totals = np.array([np.nan if t is None else t for _v, t, _l in rows])
    levels = np.array([level or 0 for _v, _t, level in rows], dtype=np.int64)
    _feed_regions(regions, schools, values, totals, levels)
    return int((~np.isnan(totals)).sum())


STALE_SHARE = 0.1  # autovacuum's default analyze scale factor


def refresh_statistics(*models, if_stale=False):
    """ANALYZE after bulk writes: the planner otherwise keeps pre-round row estimates and picks scans
    that turn a 50 ms rapor page into seconds until autovacuum catches up. `if_stale`: on PostgreSQL,
    only a table analysed never, or changed by more than STALE_SHARE since (as autovacuum measures
    it): the responses scoring reads are mostly as they were at the last run, and analysing a
    province's 315,000 of them again costs a tenth of its scoring time for nothing."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if if_stale and connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT n_mod_since_analyze, n_live_tup, coalesce(last_analyze, last_autoanalyze) "
                    "FROM pg_stat_user_tables WHERE relid = %s::regclass",
                    [table],
                )
                changed, rows, analysed = cursor.fetchone() or (0, 0, None)
                if analysed is not None and changed <= STALE_SHARE * rows + 50:
                    continue
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class ScoringError(RuntimeError):
    """A province could not be scored; `detail` is the traceback of its process, or how it ended."""

    def __init__(self, detail, province=""):
        super().__init__(f"{province}: {detail}" if province else detail)
        self.detail, self.province = detail, province

    @property
    def summary(self):
        """One line for people: the province and the last line of the traceback."""
        return f"{self.province}: {self.detail.strip().splitlines()[-1]}"


def _score_province(round_, matrix, province, slice_=None, part=None):
    """Score one province's schools and rewrite its kecamatan, kab/kota and province rows, in one
    transaction; returns the number of rapor and the province's share of the national sums. With
    `slice_=_stored_schools` the regional rows are rebuilt from the stored rapor without re-scoring.

    A worker's `part` (a ScoringPart) is locked for the whole transaction and finished in it: the
    lock is the part's lease, released by PostgreSQL when its worker dies (`services.recover_parts`),
    and the scores and the part's end commit together. None, and nothing written, when the part is
    no longer this worker's (it was taken up again meanwhile)."""
    slice_ = slice_ or _score_schools
    regions = Accumulator(len(matrix.node_ids), len(matrix.band_names))
    kinds = [kind for _, kind in REGION_COLUMNS]
    scored = 0
    with transaction.atomic():
        if part is not None:
            held = ScoringPart.objects.select_for_update().filter(pk=part.pk, state=ScoringPart.State.RUNNING)
            part = held.filter(worker=part.worker).first()
            if part is None:
                return None
        regencies = Regency.objects.filter(province=province)
        RegionScore.objects.filter(round=round_, engine=ENGINE).filter(
            Q(kind=RegionScore.Kind.PROVINCE, code=province.code)
            | Q(kind=RegionScore.Kind.REGENCY, code__in=regencies.values("code"))
            | Q(kind=RegionScore.Kind.DISTRICT, code__in=District.objects.filter(regency__in=regencies).values("code"))
        ).delete()
        # Schools stream in region order, so that a kecamatan or kab/kota is complete as soon as the
        # next one starts: only the open ones are summed (Jawa Timur: 666 kecamatan).
        rows = (
            School.objects.filter(province=province)
            .order_by("regency_id", "district_id", "id")
            .values_list("id", "district__code", "regency__code", "province__code", "level")
            .iterator(chunk_size=CHUNK_SCHOOLS)
        )
        while chunk := list(islice(rows, CHUNK_SCHOOLS)):
            scored += slice_(round_, matrix, chunk, regions)
            open_ = {(kind, str(chunk[-1][column])) for column, kind in REGION_COLUMNS}
            RegionScore.objects.bulk_create(regions.pop_rows(round_, kinds, keep=open_), batch_size=1000)
        RegionScore.objects.bulk_create(regions.pop_rows(round_, kinds), batch_size=1000)
        share = regions.groups.get(NATION)
        if part is not None:
            jobs.advance(part, "finish", scored, share_to_json(share))
    return scored, share


def _in_child_process(function, *args):
    """function(*args) in a forked child process, its result sent back through a pipe."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run():
        if sys.platform == "linux":  # dies with its worker, so that a killed worker's lease is free
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent:
                os._exit(1)
        # Fresh connections: after the fork the thread-local may hold an open connection of another
        # of the parent's threads (seen under a live test server), whose socket the parent still
        # uses; it must be neither used nor closed here.
        for alias in connections:
            connections[alias] = connections.create_connection(alias)
        try:
            send.send((True, function(*args)))
        except BaseException:
            send.send((False, traceback.format_exc()))
        finally:
            connections.close_all()

    connections.close_all()  # nothing left idle in the parent while children work
    parent = os.getpid()
    child = context.Process(target=run, daemon=True)
    child.start()
    send.close()
    try:
        ok, result = receive.recv()
    except EOFError:  # ended without a word, e.g. killed for memory
        ok, result = False, None
    child.join()
    if not ok:
        raise ScoringError(result or f"The scoring process ended with exit code {child.exitcode}.")
    return result


def rescore_school(round_, school):
    """Re-score one school's rapor (after a verval correction), in the caller's transaction; its
    regions follow with `refresh_regions`."""
    matrix = load_matrix(round_.instrument)
    row = (school.id, school.district.code, school.regency.code, school.province.code, school.level)
    _score_schools(round_, matrix, [row])


def role_views(round_, school):
    """(matrix, {respondent type: its group's score per sub-indicator (K, 0–7, NaN where not asked)})
    for one school, from its submitted answers. Groups smaller than MUTU_MIN_GROUP_SIZE are left out:
    their view would show a few people's answers."""
    matrix = load_matrix(round_.instrument)
    school_ids = np.array([school.id], dtype=np.int64)
    tally = Tally.empty(matrix, 1)
    for batch in respondent_batches(round_, school_ids):
        tally.add(matrix, *batch)
    _values, y = scores(matrix, tally, [school.level])
    views = {
        rtype: SCALE * y[0, r] for r, rtype in enumerate(TYPES) if tally.present[0, r] >= settings.MUTU_MIN_GROUP_SIZE
    }
    return matrix, views


def _write_nation(round_, nation):
    with transaction.atomic():
        RegionScore.objects.filter(round=round_, engine=ENGINE, kind=RegionScore.Kind.NATION).delete()
        RegionScore.objects.bulk_create(nation.pop_rows(round_, [RegionScore.Kind.NATION]))


def refresh_regions(round_id, province_id):
    """Rebuild the kecamatan, kab/kota and province means of one province (and, in a national round,
    the national mean over every province) from the stored rapor, as scoring writes them."""
    round_ = Round.objects.select_related("instrument").get(pk=round_id)
    matrix = load_matrix(round_.instrument)
    nation = Accumulator(len(matrix.node_ids), len(matrix.band_names))
    provinces = Province.objects.order_by("code")
    for province in provinces.filter(pk=province_id) if round_.province_id else provinces:
        _count, part = _score_province(round_, matrix, province, _stored_schools)
        if part is not None:
            nation.merge(NATION, part)
    if not round_.province_id:
        _write_nation(round_, nation)
    results_changed.send(Round, province_ids=[province_id])


def score_province(round_, matrix, province, part=None):
    """(rapor, its share of the national sums) of one province (None when a worker's `part` was
    taken up by another, see `_score_province`): in a child process that exits when it is done, so a
    worker peaks at the memory of one province; in the caller's process when it is inside a
    transaction (tests, the demo loader), since a child could not see uncommitted rows."""
    if connection.in_atomic_block:
        return _score_province(round_, matrix, province, part=part)
    try:
        return _in_child_process(_score_province, round_, matrix, province, None, part)
    except ScoringError as error:
        raise ScoringError(error.detail, province=province.label) from None


def round_provinces(round_):
    provinces = Province.objects.order_by("code")
    return provinces.filter(pk=round_.province_id) if round_.province_id else provinces


def finish_round(round_, matrix, parts):
    """After every province: the national means from their shares (a national round), statistics."""
    if not round_.province_id:
        nation = Accumulator(len(matrix.node_ids), len(matrix.band_names))
        for part in parts:
            if part is not None:
                nation.merge(NATION, part)
        _write_nation(round_, nation)
    refresh_statistics(SchoolScore, RegionScore, Milestone)
    results_changed.send(Round, province_ids=list(round_provinces(round_).values_list("pk", flat=True)))


def share_to_json(part):
    """A province's share of the national sums as JSON (floats round-trip exactly), or None."""
    if part is None:
        return None
    sums, counts, total, scored, levels, schools = part
    return [sums.tolist(), counts.tolist(), float(total), int(scored), levels.tolist(), int(schools)]


def share_from_json(stored):
    if stored is None:
        return None
    sums, counts, total, scored, levels, schools = stored
    return np.array(sums, dtype=float), np.array(counts), total, scored, np.array(levels), schools


def score_round(round_id):
    """Score every school in the round's area, province after province, in this process's children;
    returns the number of rapor. What `manage.py score_round` and the demo run; a request from the
    round page spreads the same provinces over the workers instead (`services.request_scoring`)."""
    round_ = Round.objects.select_related("instrument").get(pk=round_id)
    refresh_statistics(Respondent, if_stale=True)
    matrix = load_matrix(round_.instrument)
    scored, parts = 0, []
    for province in list(round_provinces(round_)):
        count, part = score_province(round_, matrix, province)
        scored += count
        parts.append(part)
    finish_round(round_, matrix, parts)
    return scored
