"""Optimal one-to-one pairing of rows (expected array items with extracted ones).

A small Hungarian algorithm (Kuhn-Munkres with potentials, O(n^2 m)) instead of
``scipy.optimize.linear_sum_assignment``: scipy would add ~40 MB to every install for a
function used on arrays of tens of rows, where this runs in well under a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def best_pairs(similarity: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """The pairs ``(row, column)`` of greatest total similarity, each row and column used at
    most once; pairs of similarity 0 are left out (those rows stay unpaired)."""
    rows = len(similarity)
    columns = len(similarity[0]) if rows else 0
    if not rows or not columns:
        return []
    if all(similarity[i][i] == max(similarity[i]) for i in range(min(rows, columns))) and all(
        similarity[i][i] >= max(similarity[k][i] for k in range(rows))
        for i in range(min(rows, columns))
    ):
        pairs = [(i, i) for i in range(min(rows, columns))]  # index order is already optimal
    elif rows <= columns:
        pairs = _assign([[-v for v in row] for row in similarity])
    else:
        transposed = [[-similarity[r][c] for r in range(rows)] for c in range(columns)]
        pairs = [(r, c) for c, r in _assign(transposed)]
    return sorted((r, c) for r, c in pairs if similarity[r][c] > 0)


def _assign(cost: list[list[float]]) -> list[tuple[int, int]]:
    """Minimum-cost assignment of every row (rows <= columns) to a distinct column."""
    n, m = len(cost), len(cost[0])
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: the row (1-based) assigned to column j; 0 = none
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0] = row
        column = 0
        least = [math.inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[column] = True
            current = owner[column]
            delta = math.inf
            next_column = 0
            costs = cost[current - 1]
            base = u[current]
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = costs[j - 1] - base - v[j]
                    if reduced < least[j]:
                        least[j] = reduced
                        way[j] = column
                    if least[j] < delta:
                        delta = least[j]
                        next_column = j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    least[j] -= delta
            column = next_column
            if owner[column] == 0:
                break
        while column:
            previous = way[column]
            owner[column] = owner[previous]
            column = previous
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])
