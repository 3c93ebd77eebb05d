#!/usr/bin/env python3
"""Writes the hyperspectral reader fixtures of test/unit/envi-reader.test.ts, mat5-reader.test.ts
and npy-cube.test.ts into test/fixtures/hsi/, with tools independent of ours: GDAL's ENVI driver
(gdal_translate, Debian gdal-bin; made with GDAL 3.6.2), scipy.io.savemat (MAT level 5) and
numpy.save (made with NumPy 2.4.6, SciPy 1.17.1). CI needs only the committed files.

One small cube underlies everything: 4 lines (rows) × 5 samples (cols) × 3 bands, with the
distinct index k(b, r, c) = 20·b + 5·r + c mapped to a value range that exercises each data type
(negative values for signed types, values beyond 2^15 / 2^31 / 2^32 for the unsigned and 64-bit
ones, non-float32 values for float64). expected.json holds those values as numpy computes them,
band-sequential (b, r, c) flattened, and a manifest of every file.

- envi/: every ENVI data type 1,2,3,4,5,12,13,14,15 × interleave bsq/bil/bip, little-endian as
  gdal_translate writes it and big-endian (byte order = 1) by byte-swapping GDAL's output with
  numpy. GDAL 3.6 cannot write or read ENVI types 14/15 (64-bit integers): those are laid out by
  the same numpy code, which is first checked to reproduce GDAL's bytes for the other types. The
  big-endian files of the other types are checked by reading them back with GDAL. Data files use
  every extension a reader must accept (.img .dat .raw .bsq .bil .bip, none) and both header
  names (X.hdr and X.img.hdr, GDAL's SUFFIX=REPLACE/ADD).
  meta.hdr: a hand-written header with comments, multi-line lists and every metadata field we
  read; what GDAL makes of it (gdalinfo -json: wavelengths, fwhm, nodata, geotransform) goes into
  expected.json. rotated.hdr: a map info with rotation, with GDAL's geotransform. offset.hdr: a
  header offset (GDAL checked). complex.hdr: data type 6 (complex, unsupported).
- mat/: scipy.io.savemat with and without compression, every numeric class, the benchmark form
  (Y bands×pixels, nRow, nCol, M, A), a 3-D variable, variables we must skip (struct, cell,
  complex, sparse, char) and a big-endian copy (scipy writes native order only; the copy is
  re-encoded here and checked by reading it back with scipy.io.loadmat).
- npy/: numpy.save of the cube as (rows, cols, bands) in C and Fortran order, big-endian, and in
  the band-first (bands, rows, cols) and line-interleaved (rows, bands, cols) axis orders.

Run from the repository root: python3 test/make-hsi-fixtures.py
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile

import numpy as np
import scipy.io
import scipy.sparse

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "hsi")
ROWS, COLS, BANDS = 4, 5, 3

# ENVI data type code → (GDAL type name or None, numpy dtype, value of index k).
TYPES = {
    1: ("Byte", "u1", lambda k: k * 4 + 3),
    2: ("Int16", "i2", lambda k: k * 100 - 3000),
    3: ("Int32", "i4", lambda k: k * 100000 - 3000000),
    4: ("Float32", "f4", lambda k: k * 0.25 - 7.5),
    5: ("Float64", "f8", lambda k: k * 0.1 - 3),
    12: ("UInt16", "u2", lambda k: k * 1000 + 5),
    13: ("UInt32", "u4", lambda k: k * 70000000 + 7),
    14: (None, "i8", lambda k: (k - 32) * 2**34),
    15: (None, "u8", lambda k: k * 2**40 + 2**41),
}
INTERLEAVES = ["bsq", "bil", "bip"]
# (data extension, header naming) cycled over the files.
NAMINGS = [(".img", "replace"), (".dat", "add"), (".raw", "replace"), ("interleave", "add"), ("", "replace"), (".img", "add")]


def index_cube():
    b, r, c = np.indices((BANDS, ROWS, COLS))
    return 20 * b + 5 * r + c


def cube_of(code):
    _, dtype, value = TYPES[code]
    k = index_cube().astype(np.float64 if np.dtype(dtype).kind == "f" else np.int64)
    if dtype in ("i8", "u8"):
        return np.array([[[value(int(x)) for x in row] for row in band] for band in index_cube()], dtype=dtype)
    return value(k).astype(dtype)


def layout(cube, interleave):
    """The file order of each ENVI interleave (ENVI header spec, "interleave")."""
    if interleave == "bsq":
        return cube  # [band][line][sample]
    if interleave == "bil":
        return cube.transpose(1, 0, 2)  # [line][band][sample]
    return cube.transpose(1, 2, 0)  # bip: [line][sample][band]


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def gdal_read_float64(header_dir, data_name, work):
    """What GDAL decodes from an ENVI pair, as float64 (bands, rows, cols)."""
    out = os.path.join(work, "check.img")
    run("gdal_translate", "-q", "-ot", "Float64", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", os.path.join(header_dir, data_name), out)
    values = np.fromfile(out, "<f8").reshape(BANDS, ROWS, COLS)
    for name in ("check.img", "check.hdr", "check.img.aux.xml"):
        if os.path.exists(os.path.join(work, name)):
            os.remove(os.path.join(work, name))
    return values


def gdalinfo(path):
    return json.loads(subprocess.run(["gdalinfo", "-json", path], check=True, capture_output=True, text=True).stdout)


def header_name(data_name, naming):
    if naming == "add":
        return data_name + ".hdr"
    stem = data_name.rsplit(".", 1)[0] if "." in data_name else data_name
    return stem + ".hdr"


def make_envi(expected, work):
    out = os.path.join(HERE, "envi")
    os.makedirs(out)
    files = []
    n = 0
    for code, (gdal_type, dtype, _) in TYPES.items():
        cube = cube_of(code)
        expected["values"][str(code)] = cube.astype(np.float64).ravel().tolist()
        # A band-sequential source GDAL reads, in the target type (gdal_translate converts nothing).
        # GDAL 3.6 has no ENVI 64-bit integers: for 14/15 it lays out an int32 stand-in.
        src = os.path.join(work, "src.img")
        source_code = code if gdal_type else 3
        cube_of(source_code).astype(np.dtype(TYPES[source_code][1]).newbyteorder("<")).tofile(src)
        with open(os.path.join(work, "src.hdr"), "w") as f:
            f.write(f"ENVI\nsamples = {COLS}\nlines = {ROWS}\nbands = {BANDS}\nheader offset = 0\n"
                    f"data type = {source_code}\ninterleave = bsq\nbyte order = 0\n")
        for interleave in INTERLEAVES:
            for order in ("le", "be"):
                if order == "be" and np.dtype(dtype).itemsize == 1:
                    continue
                ext, naming = NAMINGS[(n + code) % len(NAMINGS)]  # shifted per type: every pairing occurs
                n += 1
                ext = "." + interleave if ext == "interleave" else ext
                data_name = f"t{code}-{interleave}-{order}{ext}"
                hdr_name = header_name(data_name, naming)
                data_path = os.path.join(out, data_name)
                suffix = ["-co", "SUFFIX=ADD"] if naming == "add" else []
                run("gdal_translate", "-q", "-of", "ENVI", "-co", f"INTERLEAVE={interleave.upper()}", *suffix, src, data_path)
                aux = data_path + ".aux.xml"
                if os.path.exists(aux):
                    os.remove(aux)
                assert os.path.exists(os.path.join(out, hdr_name)), f"GDAL did not write {hdr_name}"
                with open(data_path, "rb") as f:
                    gdal_bytes = f.read()
                # Our numpy layout must be GDAL's, byte for byte: it is then trusted for types 14/15.
                reference = np.ascontiguousarray(layout(cube_of(source_code), interleave)).astype(np.dtype(TYPES[source_code][1]).newbyteorder("<"))
                assert gdal_bytes == reference.tobytes(), f"numpy layout differs from GDAL's for {data_name}"
                if not gdal_type:
                    with open(data_path, "wb") as f:
                        f.write(np.ascontiguousarray(layout(cube, interleave)).astype(np.dtype(dtype).newbyteorder("<")).tobytes())
                with open(os.path.join(out, hdr_name)) as f:
                    header = f.read()
                if not gdal_type:
                    header = header.replace("data type = 3", f"data type = {code}")
                    assert f"data type = {code}" in header
                if order == "be":
                    with open(data_path, "wb") as f:
                        f.write(np.ascontiguousarray(layout(cube, interleave)).astype(np.dtype(dtype).newbyteorder(">")).tobytes())
                    header = header.replace("byte order = 0", "byte order = 1")
                    assert "byte order = 1" in header
                # GDAL names the data file in the description: drop it, the line is free text.
                header = header.replace(f"description = {{\n{data_name}}}", "description = {fixture}")
                with open(os.path.join(out, hdr_name), "w") as f:
                    f.write(header)
                if gdal_type and order == "be":
                    back = gdal_read_float64(out, data_name, work)
                    assert np.array_equal(back, cube.astype(np.float64)), f"GDAL reads {data_name} differently"
                files.append({"header": hdr_name, "data": data_name, "dataType": code, "interleave": interleave, "byteOrder": 1 if order == "be" else 0})
    expected["envi"] = files

    # Metadata: a header as people write them (comments, case, spacing, multi-line lists).
    cube = cube_of(2)
    cube.astype("<i2").tofile(os.path.join(out, "meta.img"))
    with open(os.path.join(out, "meta.hdr"), "w") as f:
        f.write("""ENVI
; a comment line: ENVI ignores it
description = {Reader fixture: every field we read,
  on more than one line}
samples =  5
Lines   = 4
BANDS   = 3
header offset = 0
file type = ENVI Standard
data type = 2
interleave = BSQ
byte order = 0
wavelength units = Nanometers
wavelength = {
 450.5, 550.25,
 650.125}
fwhm = {10.5, 12, 14.25}
bbl = {1, 0, 1}
band names = {Blue band, Green,
 Red}
data ignore value = -1000
reflectance scale factor = 10000
map info = {UTM, 1.5, 2.5, 612730.5, 4074488.25, 2.0, 3.0, 10, North, WGS-84, units=Meters}
""")
    info = gdalinfo(os.path.join(out, "meta.img"))
    # GDAL keeps every header field, as text, in its ENVI metadata domain (fwhm, bbl, scale factor).
    raw = json.loads(subprocess.run(["gdalinfo", "-json", "-mdd", "ENVI", os.path.join(out, "meta.img")], check=True, capture_output=True, text=True).stdout)["metadata"]["ENVI"]
    numbers = lambda text: [float(x) for x in text.strip("{} ").split(",")]
    expected["meta"] = {
        "wavelengths": [float(b["metadata"][""]["wavelength"]) for b in info["bands"]],
        "units": info["bands"][0]["metadata"][""]["wavelength_units"],
        "fwhm": numbers(raw["fwhm"]),
        "bbl": numbers(raw["bbl"]),
        "bandNames": [x.strip() for x in raw["band_names"].strip("{}").split(",")],
        "reflectanceScale": float(raw["reflectance_scale_factor"]),
        "noData": info["bands"][0]["noDataValue"],
        "geoTransform": info["geoTransform"],
        "values": cube.astype(np.float64).ravel().tolist(),
    }
    # The same file through GDAL's GeoTIFF writer: its tags are what an export must reproduce.
    run("gdal_translate", "-q", "-of", "GTiff", os.path.join(out, "meta.img"), os.path.join(work, "meta.tif"))
    expected["meta"]["tifGeoTransform"] = gdalinfo(os.path.join(work, "meta.tif"))["geoTransform"]
    meta_aux = os.path.join(out, "meta.img.aux.xml")
    if os.path.exists(meta_aux):
        os.remove(meta_aux)

    # Rotation (map info "rotation="): GDAL's geotransform is the reference.
    cube.astype("<i2").tofile(os.path.join(out, "rotated.img"))
    with open(os.path.join(out, "rotated.hdr"), "w") as f:
        f.write("ENVI\nsamples = 5\nlines = 4\nbands = 3\nheader offset = 0\ndata type = 2\ninterleave = bsq\nbyte order = 0\n"
                "map info = {Geographic Lat/Lon, 1, 1, -98.5, 49.75, 0.25, 0.25, WGS-84, units=Degrees, rotation=30}\n")
    expected["rotated"] = {"geoTransform": gdalinfo(os.path.join(out, "rotated.img"))["geoTransform"]}

    # A header offset: 100 bytes before the pixels (GDAL must read it the same).
    with open(os.path.join(out, "offset.dat"), "wb") as f:
        f.write(bytes(range(100)))
        f.write(np.ascontiguousarray(layout(cube, "bip")).astype(">i2").tobytes())
    with open(os.path.join(out, "offset.hdr"), "w") as f:
        f.write("ENVI\nsamples = 5\nlines = 4\nbands = 3\nheader offset = 100\ndata type = 2\ninterleave = bip\nbyte order = 1\n")
    assert np.array_equal(gdal_read_float64(out, "offset.dat", work), cube.astype(np.float64))

    # Complex (data type 6): GDAL writes it, we refuse it clearly.
    run("gdal_translate", "-q", "-ot", "CFloat32", "-of", "ENVI", os.path.join(out, "meta.img"), os.path.join(out, "complex.img"))
    for junk in ("complex.img.aux.xml", "meta.img.aux.xml"):
        if os.path.exists(os.path.join(out, junk)):
            os.remove(os.path.join(out, junk))
    with open(os.path.join(out, "complex.hdr")) as f:
        header = f.read()
    with open(os.path.join(out, "complex.hdr"), "w") as f:
        f.write(header.replace(f"description = {{\n{os.path.join(out, 'complex.img')}}}", "description = {fixture}"))


# --- MAT level 5 ---------------------------------------------------------------------------------

MAT_CLASSES = {
    "double": "f8", "single": "f4", "int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2",
    "int32": "i4", "uint32": "u4", "int64": "i8", "uint64": "u8", "logical": "bool",
}


def mat_value(class_name, shape):
    """Distinct values per class, column-major index order irrelevant: numpy holds them by (i, j[, k])."""
    k = np.arange(int(np.prod(shape))).reshape(shape)
    return {
        "double": k * 0.1 - 1.5,
        "single": (k * 0.25 - 2).astype("f4"),
        "int8": (k - 10).astype("i1"),
        "uint8": (k * 10 + 5).astype("u1"),
        "int16": (k * 1000 - 9000).astype("i2"),
        "uint16": (k * 3000 + 7).astype("u2"),
        "int32": (k * 200000000 - 2000000000).astype("i4"),
        "uint32": (k * 300000000 + 11).astype("u4"),
        "int64": ((k - 12) * 2**40).astype("i8"),
        "uint64": (k * 2**50 + 3).astype("u8"),
        "logical": (k % 3 == 0),
    }[class_name]


def swap_mat_to_big_endian(data):
    """Re-encodes an uncompressed little-endian MAT-file (MathWorks "MAT-File Format", level 5) in
    big-endian order: header endian indicator, every tag and every numeric element swapped."""
    sizes = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
    out = bytearray(data[:126]) + b"MI"
    assert data[126:128] == b"IM"
    out[124:126] = data[124:126][::-1]  # version 0x0100

    def element(pos, end):
        result = bytearray()
        while pos < end:
            word = struct.unpack_from("<I", data, pos)[0]
            if word >> 16:  # small data element: bytes count in the upper half
                mtype, nbytes = word & 0xFFFF, word >> 16
                result += struct.pack(">HH", nbytes, mtype)
                result += swap(data[pos + 4:pos + 8], mtype, nbytes, pad_to=4)
                pos += 8
                continue
            mtype, nbytes = struct.unpack_from("<II", data, pos)
            result += struct.pack(">II", mtype, nbytes)
            body = data[pos + 8:pos + 8 + nbytes]
            padded = (nbytes + 7) // 8 * 8
            if mtype == 14:
                result += element(pos + 8, pos + 8 + nbytes)
            else:
                assert mtype != 15, "compressed elements cannot be swapped here"
                result += swap(body, mtype, nbytes, pad_to=padded)
            pos += 8 + padded
        return result

    def swap(body, mtype, nbytes, pad_to):
        size = sizes[mtype]
        swapped = bytearray()
        for i in range(0, nbytes, size):
            swapped += body[i:i + size][::-1]
        return swapped + bytes(pad_to - nbytes)

    return bytes(out) + bytes(element(128, len(data)))


def make_mat(expected):
    out = os.path.join(HERE, "mat")
    os.makedirs(out)
    mats = {}
    # The benchmark form: Y is bands × pixels with pixels in column-major order p = r + c·nRow.
    cube = cube_of(4).astype(np.float64)  # (bands, rows, cols), float32 values
    y = cube.transpose(0, 2, 1).reshape(BANDS, COLS * ROWS)  # pixel p = c·ROWS + r
    m = np.array([[0.1, 0.7], [0.5, 0.2], [0.9, 0.4]])
    a = np.vstack([np.linspace(0, 1, ROWS * COLS), 1 - np.linspace(0, 1, ROWS * COLS)])
    bench = {"Y": y, "nRow": float(ROWS), "nCol": float(COLS), "M": m, "A": a}
    for compress in (False, True):
        name = f"bench{'-z' if compress else ''}.mat"
        scipy.io.savemat(os.path.join(out, name), bench, do_compression=compress)
        mats[name] = {"compressed": compress}
    # The same, everything stored transposed: Y pixels × bands, M endmembers × bands, A pixels × endmembers.
    scipy.io.savemat(os.path.join(out, "transposed.mat"), {"Y": y.T, "nRow": float(ROWS), "nCol": float(COLS), "M": m.T, "A": a.T})
    # Ground truth alone (as the benchmarks' separate GT files hold it): no image in it.
    scipy.io.savemat(os.path.join(out, "gt-only.mat"), {"M": m, "A": a}, do_compression=True)
    # Y single precision, no nRow/nCol: a square image (4×4 pixels, 3 bands) in column-major order.
    sq = (np.arange(3 * 16).reshape(3, 16) * 0.5).astype("f4")
    scipy.io.savemat(os.path.join(out, "square-single.mat"), {"Y": sq}, do_compression=True)
    expected["matSquare"] = {"Y": sq.astype(np.float64).ravel(order="F").tolist()}
    # A 3-D cube rows × cols × bands (MATLAB image convention), int16, no Y.
    cube3 = cube_of(2).transpose(1, 2, 0)  # (rows, cols, bands)
    scipy.io.savemat(os.path.join(out, "cube3d.mat"), {"small": np.arange(4.0).reshape(2, 2), "img": cube3}, do_compression=False)
    # Every numeric class, 2-D and 3-D.
    variables = {}
    for i, class_name in enumerate(MAT_CLASSES):
        shape = (3, 4) if i % 2 == 0 else (2, 3, 2)
        variables[f"v_{class_name}"] = mat_value(class_name, shape)
    for compress in (False, True):
        scipy.io.savemat(os.path.join(out, f"classes{'-z' if compress else ''}.mat"), variables, do_compression=compress)
    with open(os.path.join(out, "classes.mat"), "rb") as f:
        big = swap_mat_to_big_endian(f.read())
    with open(os.path.join(out, "classes-be.mat"), "wb") as f:
        f.write(big)
    le = scipy.io.loadmat(os.path.join(out, "classes.mat"))
    be = scipy.io.loadmat(os.path.join(out, "classes-be.mat"))
    for key, value in variables.items():
        # scipy reads the copy as big-endian data ('>f8' …) holding the same values.
        assert be[key].dtype.itemsize == 1 or be[key].dtype.byteorder == ">", key
        assert le[key].dtype.kind == be[key].dtype.kind and np.array_equal(le[key], be[key]) and np.array_equal(be[key], value), key
    expected["matClasses"] = {
        key: {"dims": list(value.shape), "className": key[2:], "data": [float(x) for x in value.ravel(order="F")]}
        for key, value in variables.items()
    }
    # Things a numeric reader must skip, each with its reason.
    skipped = {
        "s": {"a": 1.0, "b": "text"},
        "c": np.array([[1.0, "x"]], dtype=object),
        "z": np.array([[1 + 2j, 3 - 1j]]),
        "sp": scipy.sparse.csc_matrix(np.array([[0.0, 1.0], [2.0, 0.0]])),
        "txt": "hello",
        "Y": np.arange(6.0).reshape(2, 3),
    }
    scipy.io.savemat(os.path.join(out, "skipped.mat"), skipped, do_compression=False)
    expected["mat"] = mats
    expected["matBench"] = {"Y": y.ravel(order="F").tolist(), "M": m.ravel(order="F").tolist(), "A": a.ravel(order="F").tolist()}


def make_npy(expected):
    out = os.path.join(HERE, "npy")
    os.makedirs(out)
    cube = cube_of(4)  # (bands, rows, cols) float32
    bip = np.ascontiguousarray(cube.transpose(1, 2, 0))  # (rows, cols, bands)
    np.save(os.path.join(out, "cube.npy"), bip)
    np.save(os.path.join(out, "cube-fortran.npy"), np.asfortranarray(cube_of(2).transpose(1, 2, 0)))
    np.save(os.path.join(out, "cube-be.npy"), cube_of(13).transpose(1, 2, 0).astype(">u4"))
    np.save(os.path.join(out, "cube.bsq.npy"), cube_of(5))  # (bands, rows, cols) float64
    np.save(os.path.join(out, "cube.bil.npy"), np.ascontiguousarray(cube_of(12).transpose(1, 0, 2)))  # (rows, bands, cols)
    np.save(os.path.join(out, "matrix.npy"), np.arange(6.0).reshape(2, 3))
    expected["npy"] = {
        "cube.npy": 4, "cube-fortran.npy": 2, "cube-be.npy": 13, "cube.bsq.npy": 5, "cube.bil.npy": 12,
    }


def main():
    if os.path.exists(HERE):
        shutil.rmtree(HERE)
    os.makedirs(HERE)
    expected = {"rows": ROWS, "cols": COLS, "bands": BANDS, "values": {}}
    with tempfile.TemporaryDirectory() as work:
        make_envi(expected, work)
    make_mat(expected)
    make_npy(expected)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, name)) for d, _, names in os.walk(HERE) for name in names)
    print(f"wrote {HERE}: {total} bytes")


if __name__ == "__main__":
    main()
