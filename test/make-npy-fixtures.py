#!/usr/bin/env python3
"""Writes the .npy fixtures of test/unit/matrix-io.test.ts with NumPy itself (Debian:
apt-get install python3-numpy; made with NumPy 2.4.6), so that readNpy is checked against files
numpy wrote, in layouts our writer never produces. CI needs only the committed files.

test/fixtures/npy/manifest.json lists, per good file: name, dtype, fortran order, format version,
shape, and the expected values as numpy converts them to float32, row-major (C order) flattened.
Bad files are listed with a regex of the error readNpy must give.

Run from the repository root: python3 test/make-npy-fixtures.py
"""
import json
import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "npy")
os.makedirs(HERE, exist_ok=True)
manifest = {"good": [], "bad": []}


def base(dtype, shape=(3, 4)):
    i, j = np.indices(shape)
    if np.dtype(dtype).kind == "b":
        return ((i + j) % 2 == 0).astype(dtype)
    if np.dtype(dtype).kind == "u":
        return (10 * i + j).astype(dtype)
    if np.dtype(dtype).kind == "i":
        return (10 * i + j - 12).astype(dtype)
    # Floats: exact in float32 except the last column, which float64 rounds (0.1 steps).
    return ((10 * i + j) / 4 - 3 + np.where(j == shape[1] - 1, 0.1, 0)).astype(dtype)


def save(name, array, version=None, fortran=False):
    if fortran:
        array = np.asfortranarray(array)
        assert array.flags.f_contiguous and not array.flags.c_contiguous
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        if version is None:
            np.save(f, array)
        else:
            np.lib.format.write_array(f, array, version=version)
    with open(path, "rb") as f:
        major, minor = f.read(8)[6:8]
    shape = list(array.shape)
    manifest["good"].append({
        "file": name,
        "dtype": array.dtype.str,
        "fortran": fortran,
        "version": f"{major}.{minor}",
        "shape": shape,
        "values": np.atleast_2d(array).astype(np.float32).ravel(order="C").astype(float).tolist(),
    })


for dtype in ["<f4", ">f4", "<f8", ">f8", "|u1", "|i1", "<i2", ">i2", "<u2", ">u2",
              "<i4", ">i4", "<u4", ">u4", "<i8", ">i8", "<u8", ">u8", "|b1"]:
    tag = dtype.replace("<", "le-").replace(">", "be-").replace("|", "")
    save(f"{tag}.npy", base(dtype))
for dtype in ["<f4", ">f8", "<i2", ">u4"]:
    tag = dtype.replace("<", "le-").replace(">", "be-")
    save(f"{tag}-fortran.npy", base(dtype), fortran=True)
save("le-f4-v2.npy", base("<f4"), version=(2, 0))
save("be-f8-fortran-v3.npy", base(">f8"), version=(3, 0), fortran=True)
save("le-f8-1d.npy", np.arange(5, dtype="<f8") * 1.5)
save("le-f4-tall.npy", base("<f4", (7, 2)))
# Integers beyond float32's 24-bit mantissa round to the nearest float32.
save("le-i8-large.npy", np.array([[2**40 + 1, -(2**53)], [16777217, 3]], dtype="<i8"))


def bad(name, array, error, allow_pickle=False):
    np.save(os.path.join(HERE, name), array, allow_pickle=allow_pickle)
    manifest["bad"].append({"file": name, "error": error})


bad("bad-object.npy", np.array([[1, "a"]], dtype=object), "object arrays", allow_pickle=True)
bad("bad-3d.npy", np.zeros((2, 3, 4), dtype="<f4"), "3 dimensions, shape \\(2, 3, 4\\)")
bad("bad-complex.npy", np.ones((2, 2), dtype="<c8"), "unsupported dtype '<c8': complex")
bad("bad-strings.npy", np.array([["ab", "c"]]), "unsupported dtype '<U2': strings")
bad("bad-structured.npy", np.zeros(3, dtype=[("x", "<f4"), ("y", "<i2")]), "structured arrays")
bad("bad-scalar.npy", np.float32(1.5), "0-dimensional")
bad("bad-float16.npy", np.ones((2, 2), dtype="<f2"), "unsupported dtype '<f2'")
bad("bad-overflow.npy", np.array([[1.0, 2.0], [1e300, 4.0]], dtype="<f8"), "row 2, column 1 .*float32 range")

with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
    f.write("\n")
print(f"wrote {len(manifest['good'])} good and {len(manifest['bad'])} bad fixtures to {HERE}")
