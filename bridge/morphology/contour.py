"""Soma contours as NEURON's Import3d turns them into a centroid line with diameters.

`contour_center` is `Import3d_Section.contourcenter` (import3d_sec.hoc): the closed xy
outline resampled at 101 points equally spaced along its perimeter, and their mean.
`contour_centroid` is `Import3d_GUI.contour2centroid` (import3d_gui.hoc): the principal
axis of the resampled outline, the two sides of the outline seen along that axis made
monotonic, both resampled at 21 positions between the second smallest and second
largest axis coordinate, diameter = distance between the sides, the end diameters
averaged with their neighbours.

Every step follows NEURON's Vector arithmetic (sequential sums, `Vector.interpolate`,
`Vector.indgen`), so the result agrees with NEURON to round-off; Import3d writes it with
`%.8g` and pt3d keeps float32, which hides the remaining differences (the eigenvectors
come from LAPACK here, from Eigen in NEURON). Units: [um].
"""

from __future__ import annotations

import math

import numpy as np

INDGEN_EPSILON = 1e-9  # slack in Vector.indgen(start, stop, step)'s element count
PI = 3.14159265358979323846  # hoc's PI


class ContourError(ValueError):
    """A contour that NEURON's Import3d cannot turn into a centroid line (the reader adds the file and line)."""


def _sum(values) -> float:
    """std::accumulate: left to right."""
    total = 0.0
    for v in values:
        total += v
    return total


def _dot(a, b) -> float:
    total = 0.0
    for u, v in zip(a, b):
        total += u * v
    return total


def interpolate(xd: list[float], xs: list[float], ys: list[float]) -> list[float]:
    """`ydest.interpolate(xdest, xsrc, ysrc)`: linear, constant outside, xsrc steps that do not
    increase skipped."""
    nd, ns = len(xd), len(xs)
    yd = [0.0] * nd
    i = 0
    while i < nd and xd[i] <= xs[0]:
        yd[i] = ys[0]
        i += 1
    s = 1
    while s < ns and i < nd:
        if xs[s] > xs[s - 1]:
            while xd[i] <= xs[s]:
                t = (xd[i] - xs[s - 1]) / (xs[s] - xs[s - 1])
                yd[i] = (1.0 - t) * ys[s - 1] + t * ys[s]
                i += 1
                if i >= nd:
                    break
        s += 1
    for k in range(i, nd):
        yd[k] = ys[ns - 1]
    return yd


def contour_center(x, y, z) -> tuple[list[float], list[float], list[float], list[float]]:
    """(mean [x, y, z], x, y, z resampled at 101 points along the closed xy perimeter)."""
    x, y, z = list(map(float, x)), list(map(float, y)), list(map(float, z))
    n = len(x)
    dx = [x[(i + 1) % n] - x[i] for i in range(n)]
    dy = [y[(i + 1) % n] - y[i] for i in range(n)]
    perim = [0.0] * n
    for i in range(1, n):
        s = 0.0
        s += dx[i - 1] * dx[i - 1]
        s += dy[i - 1] * dy[i - 1]
        s += 0.0
        perim[i] = perim[i - 1] + math.sqrt(s)
    step = perim[-1] / 100
    grid = [k * step for k in range(101)]
    xr, yr, zr = (interpolate(grid, perim, v) for v in (x, y, z))
    mean = [_sum(v) / len(v) for v in (xr, yr, zr)]
    return mean, xr, yr, zr


def _monotonic(d: list[float], rad: list[float]) -> None:
    """Drop points (from the end) until d strictly increases, as contour2centroid does."""
    j = len(d) - 1
    while j > 0:
        if d[j] <= d[j - 1] + 1e-11:  # hoc's <=
            del d[j], rad[j]
            if j != len(d):
                j += 1
        j -= 1


def contour_centroid(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centroid points (n, 3) and diameters (n,) NEURON makes of a soma contour, the
    outline's points `raw` (m, 3) [um]."""
    if len(raw) < 3:
        raise ContourError("a soma contour needs at least 3 points")
    mean, xr, yr, zr = contour_center(raw[:, 0], raw[:, 1], raw[:, 2])
    rows = [[v - mean[0] for v in xr], [v - mean[1] for v in yr], [v - mean[2] for v in zr]]
    m = np.zeros((3, 3))
    for i in range(3):
        for j in range(i, 3):
            m[i, j] = m[j, i] = _sum(a * b for a, b in zip(rows[i], rows[j]))
    values, vectors = np.linalg.eigh(m)
    imax, imin = int(np.argmax(values)), int(np.argmin(values))
    major = [float(v) for v in vectors[:, imax]]
    if major[int(np.argmax(np.abs(major)))] < -1e-11:
        major = [-v for v in major]
    minor = [float(v) for v in vectors[:, 3 - imin - imax]]
    minor[2] = 0.0
    mag_minor = math.sqrt(_dot(minor, minor))
    if mag_minor / (math.sqrt(_dot(major, major)) + 1e-100) < 1e-6:
        raise ContourError("Failed to compute soma centroid from contour.")
    minor = [v / mag_minor for v in minor]
    pts = list(zip(*rows))
    d = [_dot(p, major) for p in pts]
    rad = [_dot(p, minor) for p in pts]
    k = d.index(max(d))
    d, rad = d[k:] + d[:k], rad[k:] + rad[:k]
    k = d.index(min(d))
    side2, rad2 = d[k:], rad[k:]
    d, rad = d[:k][::-1], rad[:k][::-1]
    _monotonic(d, rad)
    _monotonic(side2, rad2)
    both = sorted(d + side2)
    lo, hi = both[1], both[-2]
    step = (hi - lo) / 20
    count = int(math.floor((hi - lo) / step + INDGEN_EPSILON) + 1)
    grid = [i * step + lo for i in range(count)]
    rad = interpolate(grid, d, rad)
    rad2 = interpolate(grid, side2, rad2)
    xyz = np.array([[major[c] * g + mean[c] for c in range(3)] for g in grid])
    diam = [abs(a - b) for a, b in zip(rad, rad2)]
    diam[0] = (diam[0] + diam[1]) / 2
    diam[-1] = (diam[-1] + diam[-2]) / 2
    return xyz, np.array(diam)


def _edge(a, b) -> float:
    diff = [u - v for u, v in zip(a, b)]
    return math.sqrt(_dot(diff, diff))


def circle_approximation(xyz) -> tuple[list[float], float]:
    """`Import3d_Section.approximate_contour_by_circle`: the contour's centre and a diameter,
    the mean distance of the resampled outline from the centre plus perimeter / (2 pi)."""
    pts = [list(map(float, p)) for p in xyz]
    n = len(pts)
    perim = 0.0
    for i in range(n):
        perim += _edge(pts[i], pts[(i + 1) % n])
    xs, ys, zs = zip(*pts)
    center, xr, yr, zr = contour_center(xs, ys, zs)
    radii = [math.sqrt((((a - center[0]) * (a - center[0])) + (b - center[1]) * (b - center[1]))
                       + (c - center[2]) * (c - center[2])) for a, b, c in zip(xr, yr, zr)]
    return center, _sum(radii) / len(radii) + perim / (2 * PI)


def stack_centroid(contours: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`contourstack2centroid`: one point per contour of a soma stack (its circle
    approximation's centre and diameter), the main contour first; `contours` are the
    outlines' points, each (m, 3) [um]."""
    centers, diams = [], []
    for points in contours:
        c, d = circle_approximation(points)
        centers.append(c)
        diams.append(d)
    return np.array(centers), np.array(diams)


def stack_center(contours) -> list[float]:
    """`Import3d_Section.stk_center`: the point halfway along the line through the contour
    centres of a soma stack."""
    cents = [contour_center(*zip(*np.asarray(c.xyz, dtype=float).tolist()))[0] for c in contours]
    lengths = [0.0]
    total = 0.0
    for i in range(1, len(cents)):
        total += _edge(cents[i], cents[i - 1])
        lengths.append(total)
    half = total / 2
    if half == 0:
        return cents[0]
    i = next(k for k, v in enumerate(lengths) if v > half + 1e-11)
    th = (half - lengths[i - 1]) / (lengths[i] - lengths[i - 1])
    return [th * cents[i][j] + (1 - th) * cents[i - 1][j] for j in range(3)]
