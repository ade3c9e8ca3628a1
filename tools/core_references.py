#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the reference values used by tests/core (numpy gradient, numpy interp, scipy
CubicSpline). Run with Debian's python3-numpy / python3-scipy; the versions are printed so the
tests can state them. Inputs are dyadic rationals, exactly representable in float and double."""
import numpy as np
import scipy
from scipy.interpolate import CubicSpline

print(f"// numpy {np.__version__}, scipy {scipy.__version__}")
x = np.array([0.0, 0.5, 1.25, 2.0, 3.5, 4.0, 5.75, 6.0])
y = np.array([1.0, 1.5, 0.75, -0.25, 2.0, 2.5, 1.125, 0.5])
xq = np.array([0.125, 0.5, 1.0, 2.75, 3.625, 5.0, 5.875, 6.0])

def show(name, values):
    print(f"{name} = {{" + ", ".join(repr(float(v)) for v in values) + "}")

show("gradient_nonuniform_edge1", np.gradient(y, x, edge_order=1))
show("gradient_nonuniform_edge2", np.gradient(y, x, edge_order=2))
show("gradient_uniform_edge1", np.gradient(y, 0.25, edge_order=1))
show("gradient_uniform_edge2", np.gradient(y, 0.25, edge_order=2))
show("interp_linear", np.interp(xq, x, y))
cs = CubicSpline(x, y)  # not-a-knot is scipy's default
show("cubic_spline", cs(xq))
show("cubic_spline_derivative", cs(xq, 1))
show("cubic_spline_extrapolated", cs(np.array([-0.5, 6.5])))
cs3 = CubicSpline(x[:3], y[:3])
show("cubic_spline_three_points", cs3(np.array([0.25, 1.0])))
