"""``mind-data``: convert datasets to MindRecord, describe and verify them, diagnose pipelines.

Subcommands, each a thin layer over the library (``python -m mind.data`` runs the same):

- ``convert SOURCE DEST --from KIND``: an image folder, a CSV file, an ``.npz`` file, MNIST or
  CIFAR-10 to a MindRecord dataset, written in chunks with :class:`~mind.data.mindrecord.FileWriter`.
- ``info DATASET [--json]``: schema, description, index fields, rows, shards and page layout.
- ``verify DATASET [--clean]``: :func:`~mind.data.mindrecord.verify` (sizes, digests, pages,
  sampled rows; stray files of an interrupted write are noted, not counted as problems);
  ``--clean`` first removes them (hidden temporaries, stray shards) and lists what it removed.
- ``doctor MODULE:ATTR [--rows N]``: :meth:`Dataset.doctor` on a pipeline defined in a module.

Exit status: 0 on success, 1 when ``verify`` finds problems, 2 for an error in the arguments or
the input (a one-line ``mind-data <command>: ...`` message on stderr, no traceback), 130 when
interrupted. Errors that are bugs in mind-data itself still raise with their traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from mind.core.errors import MindError

__all__ = ["main"]

PROG = "mind-data"
# Rows handed to FileWriter.write_raw_data at a time: one page's worth, so memory stays bounded
# and the progress bar moves.
CHUNK_ROWS = 1000
SOURCES = ("imagefolder", "csv", "numpy", "mnist", "cifar10")
# MNIST and CIFAR-10 images, stored as the raw bytes of one uint8 HWC array per row (FileWriter's
# ndarray fields hold int32/int64/float32/float64 only, so a uint8 ndarray field would take 4x
# the space); the shape is recorded in the dataset description.
IMAGE_SHAPES = {"mnist": [28, 28, 1], "cifar10": [32, 32, 3]}
# numpy dtypes an .npz column may have, and the MindRecord type each is stored as.
_NPZ_TYPES = {
    "float32": "float32",
    "float64": "float64",
    "int32": "int32",
    "int64": "int64",
    "bool": "int32",
    "int8": "int32",
    "int16": "int32",
    "uint8": "int32",
    "uint16": "int32",
}


class CliError(Exception):
    """An error in the arguments or the input: reported in one line, exit status 2."""


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mind-data`` with ``argv`` (``sys.argv[1:]`` when None); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else 2
    where = f"{PROG} {args.command}"
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"{where}: interrupted", file=sys.stderr)
        return 130
    except (CliError, MindError, OSError) as exc:
        print(f"{where}: {_one_line(exc)}", file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


_CONVERT_EPILOG = """\
what each --from writes:
  imagefolder  SOURCE/<class>/<image file>: image (bytes: the file as is), label (int32, class
               folders numbered in sorted order), file_name (string: the path under SOURCE,
               e.g. cat/001.png); indexed on label and file_name. The description records
               the class_indexing.
  mnist,       SOURCE holds the MNIST idx files (.gz or not) or the CIFAR-10 binary batches
  cifar10      (*.bin). image (bytes): the raw pixels of one uint8 array in HWC order, shape
               [28, 28, 1] for mnist and [32, 32, 3] for cifar10, as the description records
               (MindRecord ndarray fields are int32/int64/float32/float64 only, so uint8
               pixels are kept as bytes, losslessly and at 1 byte a pixel). Decode a row with
               numpy.frombuffer(row["image"], numpy.uint8).reshape(shape). label (int64),
               indexed. --usage train|test|all (default all) picks the split.
  csv          a header row naming the columns, then the rows; integer columns become
               int64, float columns float64, string columns string. Empty values and other
               types (dates, booleans) are errors naming the column.
  numpy        an .npz file (numpy.savez): each array a column, rows along axis 0. 1-D arrays
               become scalar fields, others ndarray fields of shape arr.shape[1:]. float32,
               float64, int32 and int64 are kept; bool, int8, int16, uint8 and uint16 become
               int32; other dtypes are errors.

examples:
  mind-data convert ~/data/flowers flowers.mindrecord --from imagefolder --shards 4
  mind-data convert ~/data/mnist mnist_train.mindrecord --from mnist --usage train
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Convert datasets to MindRecord, inspect and verify MindRecord datasets, "
        "and diagnose data pipelines.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = sub.add_parser(
        "convert",
        help="write a MindRecord dataset from images, CSV, .npz, MNIST or CIFAR-10",
        description="Write a MindRecord dataset at DEST (shard files and DEST.meta.json) from\n"
        "SOURCE. Rows are written in chunks of 1,000, with a progress bar on stderr when it\n"
        "is a terminal; nothing appears at DEST until the write has succeeded.",
        epilog=_CONVERT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("source", metavar="SOURCE", help="the directory or file to convert")
    convert.add_argument("dest", metavar="DEST", help="the dataset's file name to write")
    convert.add_argument(
        "--from", dest="kind", required=True, choices=SOURCES, help="what SOURCE is"
    )
    convert.add_argument(
        "--usage",
        choices=("train", "test", "all"),
        help="the split to convert (mnist and cifar10 only; default: all)",
    )
    convert.add_argument(
        "--shards",
        type=_int_in(1, 1000, "--shards"),
        default=1,
        metavar="N",
        help="number of shard files, 1 to 1000 (default 1)",
    )
    convert.add_argument(
        "--overwrite", action="store_true", help="replace an existing dataset at DEST"
    )
    convert.set_defaults(run=_convert)

    info = sub.add_parser(
        "info",
        help="describe a MindRecord dataset",
        description="Print a MindRecord dataset's schema, description, index fields, rows, "
        "shard files and page layout.",
    )
    info.add_argument(
        "dataset", metavar="DATASET", help="the dataset's name, its header or any shard file"
    )
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(run=_info)

    verify = sub.add_parser(
        "verify",
        help="check a MindRecord dataset's files, checksums and contents",
        description="Check the header, every shard's size and digest, every page, and a "
        "sample of rows. Exit status 0 when sound, 1 with each problem printed. Stray shard "
        "files of an interrupted write are printed as notes; the next commit removes them.",
    )
    verify.add_argument(
        "dataset", metavar="DATASET", help="the dataset's name, its header or any shard file"
    )
    verify.add_argument(
        "--clean",
        action="store_true",
        help="remove what killed writes left beside the dataset (hidden temporaries, and stray "
        "shards a write of this name made), printing each file removed",
    )
    verify.set_defaults(run=_verify)

    doctor = sub.add_parser(
        "doctor",
        help="time a data pipeline op by op and report misconfiguration",
        description="Import MODULE (a dotted module name, or a path/to/file.py), take ATTR from "
        "it (a Dataset, or a function of no arguments returning one) and run "
        "dataset.doctor(): each op's share of the time, the op the pipeline waits on, and "
        "configuration fixes and warnings.",
    )
    doctor.add_argument("target", metavar="MODULE:ATTR", help="e.g. pipeline.py:make_dataset")
    doctor.add_argument(
        "--rows",
        type=_int_in(1, None, "--rows"),
        default=200,
        metavar="N",
        help="rows to run through the pipeline (default 200)",
    )
    doctor.set_defaults(run=_doctor)
    return parser


def _int_in(low: int, high: int | None, flag: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} must be an integer, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"{flag} must be {bounds}, got {value}")
        return value

    return parse


# ------------------------------------------------------------------------------------------------
# convert
# ------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What a source writes: the schema, and the rows as columnar batches."""

    schema: dict[str, dict[str, Any]]
    description: str
    index_fields: list[str]
    num_rows: int
    # (start, stop) -> a columnar batch for FileWriter.write_raw_data
    batch: Callable[[int, int], dict[str, Any]]


def _convert(args: argparse.Namespace) -> int:
    from mind.data._src.mindrecord import files
    from mind.data.mindrecord import FileWriter

    source, dest = Path(args.source), args.dest
    if args.usage is not None and args.kind not in IMAGE_SHAPES:
        raise CliError(f"--usage applies to --from mnist or cifar10, not --from {args.kind}")
    if not source.exists():
        raise CliError(f"SOURCE {source} does not exist")
    wants_dir = args.kind in ("imagefolder", "mnist", "cifar10")
    if wants_dir and not source.is_dir():
        raise CliError(f"--from {args.kind} needs a directory, but SOURCE {source} is a file")
    if not wants_dir and source.is_dir():
        raise CliError(f"--from {args.kind} needs a file, but SOURCE {source} is a directory")
    if os.path.isdir(dest):
        raise CliError(
            f"DEST {dest} is a directory; give the dataset's file name, e.g. "
            f"{os.path.join(dest, 'train.mindrecord')}"
        )
    parent = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(parent):
        raise CliError(f"the directory {parent} for DEST does not exist")
    if not args.overwrite and os.path.lexists(files.header_path(dest)):
        raise CliError(
            f"DEST {dest} already exists ({files.header_path(dest)}); pass --overwrite to "
            "replace it"
        )

    plan = _PLANS[args.kind](source, args)
    start = time.perf_counter()
    progress = _Progress(plan.num_rows, "convert")
    try:
        with FileWriter(dest, shard_num=args.shards, overwrite=args.overwrite) as writer:
            writer.add_schema(plan.schema, plan.description)
            if plan.index_fields:
                writer.add_index(plan.index_fields)
            for lo in range(0, plan.num_rows, CHUNK_ROWS):
                hi = min(lo + CHUNK_ROWS, plan.num_rows)
                writer.write_raw_data(plan.batch(lo, hi))
                progress.update(hi)
            writer.commit()
    finally:
        progress.close()
    seconds = time.perf_counter() - start
    print(f"wrote {plan.num_rows} rows in {args.shards} shard(s) to {dest} in {seconds:.1f} s")
    return 0


def _describe(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=False)


def _check_name(name: str, what: str) -> None:
    from mind.data._src.mindrecord.schema import _NAME

    if not isinstance(name, str) or not _NAME.match(name):
        raise CliError(
            f"{what} {name!r} is not a valid MindRecord field name (letters, digits and '_' "
            "only); rename it"
        )


# -- image folders ---------------------------------------------------------------------------------


def _plan_imagefolder(source: Path, args: argparse.Namespace) -> _Plan:
    from mind.data._src.readers import ImageFolderReader

    reader = ImageFolderReader(source)
    # The paths relative to SOURCE ("cat/001.png"): unique, where a bare file name may not be.
    names = [p.relative_to(source).as_posix() for p in reader._paths]
    labels = np.asarray(reader._labels, dtype=np.int32)

    def batch(lo: int, hi: int) -> dict[str, Any]:
        return {
            "image": [reader[i][0].tobytes() for i in range(lo, hi)],
            "label": labels[lo:hi],
            "file_name": names[lo:hi],
        }

    return _Plan(
        schema={
            "image": {"type": "bytes"},
            "label": {"type": "int32"},
            "file_name": {"type": "string"},
        },
        description=_describe(
            {
                "converted_from": "imagefolder",
                "image": "the image file's bytes, as is",
                "file_name": "the file's path under the source folder",
                "class_indexing": reader.class_indexing,
            }
        ),
        index_fields=["label", "file_name"],
        num_rows=len(reader),
        batch=batch,
    )


# -- MNIST and CIFAR-10 ----------------------------------------------------------------------------


def _plan_standard(source: Path, args: argparse.Namespace) -> _Plan:
    from mind.data._src.readers import Cifar10Reader, MnistReader

    usage = args.usage or "all"
    reader = (MnistReader if args.kind == "mnist" else Cifar10Reader)(source, usage)
    shape = IMAGE_SHAPES[args.kind]

    def batch(lo: int, hi: int) -> dict[str, Any]:
        rows = [reader[i] for i in range(lo, hi)]
        return {
            "image": [np.ascontiguousarray(image, np.uint8).tobytes() for image, _ in rows],
            "label": np.array([int(label) for _, label in rows], dtype=np.int64),
        }

    return _Plan(
        schema={"image": {"type": "bytes"}, "label": {"type": "int64"}},
        description=_describe(
            {
                "converted_from": args.kind,
                "usage": usage,
                "image": {"encoding": "raw", "dtype": "uint8", "layout": "HWC", "shape": shape},
                "decode": "numpy.frombuffer(row['image'], numpy.uint8).reshape(shape)",
            }
        ),
        index_fields=["label"],
        num_rows=len(reader),
        batch=batch,
    )


# -- CSV -------------------------------------------------------------------------------------------


def _plan_csv(source: Path, args: argparse.Namespace) -> _Plan:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(source)
    except pa.ArrowException as exc:
        raise CliError(f"cannot read {source} as CSV: {_one_line(exc)}") from None
    names = table.column_names
    if not names:
        raise CliError(f"{source} has no columns")
    if all(_is_number(n) for n in names):
        raise CliError(
            f"the first row of {source} ({', '.join(names)}) looks like data; --from csv needs "
            "a header row naming the columns"
        )
    seen: set[str] = set()
    schema: dict[str, dict[str, Any]] = {}
    for name, column in zip(names, table.columns):
        _check_name(name, f"column {len(seen) + 1} of {source}, named")
        if name in seen:
            raise CliError(f"{source} names two columns {name!r}; column names must be unique")
        seen.add(name)
        kind = column.type
        if pa.types.is_null(kind):
            raise CliError(f"column {name!r} of {source} is empty: it has no values to store")
        if pa.types.is_integer(kind):
            schema[name] = {"type": "int64"}
        elif pa.types.is_floating(kind):
            schema[name] = {"type": "float64"}
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            schema[name] = {"type": "string"}
        else:
            raise CliError(
                f"column {name!r} of {source} holds {kind} values; --from csv stores integer, "
                "float and string columns only"
            )
        if column.null_count:
            row = int(np.argmax(pc.is_null(column).to_numpy(zero_copy_only=False)))
            raise CliError(
                f"column {name!r} of {source} has an empty value in data row {row + 1} "
                f"(line {row + 2}); MindRecord fields cannot be empty"
            )

    def batch(lo: int, hi: int) -> dict[str, Any]:
        part = table.slice(lo, hi - lo)
        out = {}
        for name in names:
            column = part.column(name)
            if schema[name]["type"] == "string":
                out[name] = column.to_pylist()
            else:
                out[name] = column.to_numpy()
        return out

    return _Plan(
        schema=schema,
        description=_describe({"converted_from": "csv", "file": source.name}),
        index_fields=[],
        num_rows=table.num_rows,
        batch=batch,
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- .npz ------------------------------------------------------------------------------------------


def _plan_numpy(source: Path, args: argparse.Namespace) -> _Plan:
    import zipfile

    try:
        loaded = np.load(source, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise CliError(f"cannot read {source} as an .npz file: {_one_line(exc)}") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CliError(
            f"{source} is an .npy file holding one array; --from numpy needs an .npz file whose "
            "arrays are the columns (numpy.savez(path, image=..., label=...))"
        )
    arrays: dict[str, np.ndarray] = {}
    with loaded:
        for name in loaded.files:
            _check_name(name, f"array of {source}")
            try:
                arrays[name] = loaded[name]
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                raise CliError(
                    f"array {name!r} of {source} cannot be read: {_one_line(exc)}"
                ) from None
    if not arrays:
        raise CliError(f"{source} holds no arrays")
    schema: dict[str, dict[str, Any]] = {}
    casts: dict[str, str] = {}
    lengths = {}
    for name, arr in arrays.items():
        if arr.ndim == 0:
            raise CliError(
                f"array {name!r} of {source} is a scalar; each array needs rows along axis 0"
            )
        mr_type = _NPZ_TYPES.get(arr.dtype.name)
        if mr_type is None:
            raise CliError(
                f"array {name!r} of {source} has dtype {arr.dtype}; --from numpy stores "
                f"{', '.join(_NPZ_TYPES)} only (convert it, e.g. arr.astype('float32'))"
            )
        if mr_type != arr.dtype.name:
            casts[name] = f"{arr.dtype.name} -> {mr_type}"
        if arr.ndim == 1:
            schema[name] = {"type": mr_type}
        else:
            if 0 in arr.shape[1:]:
                raise CliError(
                    f"array {name!r} of {source} has shape {arr.shape}; a row's shape may not "
                    "have a zero-length axis"
                )
            schema[name] = {"type": mr_type, "shape": list(arr.shape[1:])}
        lengths[name] = len(arr)
    if len(set(lengths.values())) > 1:
        raise CliError(
            f"the arrays of {source} have different numbers of rows (axis 0): "
            + ", ".join(f"{n}: {k}" for n, k in lengths.items())
        )
    dtypes = {name: np.dtype(spec["type"]) for name, spec in schema.items()}

    def batch(lo: int, hi: int) -> dict[str, Any]:
        return {name: arr[lo:hi].astype(dtypes[name], copy=False) for name, arr in arrays.items()}

    doc: dict[str, Any] = {"converted_from": "numpy", "file": source.name}
    if casts:
        doc["cast"] = casts
    return _Plan(
        schema=schema,
        description=_describe(doc),
        index_fields=[],
        num_rows=next(iter(lengths.values())),
        batch=batch,
    )


_PLANS: dict[str, Callable[[Path, argparse.Namespace], _Plan]] = {
    "imagefolder": _plan_imagefolder,
    "mnist": _plan_standard,
    "cifar10": _plan_standard,
    "csv": _plan_csv,
    "numpy": _plan_numpy,
}


class _Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 28

    def __init__(self, total: int, label: str) -> None:
        self.stream: TextIO = sys.stderr
        self.total, self.label = total, label
        self.enabled = _is_terminal(self.stream) and total > 0
        self.start = self.last = time.perf_counter()
        self.drawn = 0  # width of the last line drawn, to erase it

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.last < 0.1 and done < self.total:
            return  # at most ten redraws a second
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        filled = self.WIDTH * done // self.total
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{done}/{self.total} rows ({100 * done // self.total}%), {rate:,.0f} rows/s"
        )
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(line)

    def close(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False


# ------------------------------------------------------------------------------------------------
# info and verify
# ------------------------------------------------------------------------------------------------


def _collect_info(dataset: str) -> dict[str, Any]:
    from mind.data._src.mindrecord import files
    from mind.data.mindrecord import ShardReader

    with ShardReader(dataset) as reader:
        header_path = reader._header.path
        try:
            with open(header_path, encoding="utf-8") as f:
                raw = json.load(f)
        except (OSError, ValueError):
            raw = {}
        shards = []
        for entry, shard in zip(reader.shards, reader._shards):
            shards.append(
                {
                    "file": os.path.basename(entry["file"]),
                    "path": entry["file"],
                    "rows": entry["rows"],
                    "row_start": entry["start"],
                    "bytes": entry["bytes"],
                    **{k: entry[k] for k in ("xxh3_128", "sha256") if k in entry},
                    "pages": [page.num_rows for page in shard.pages],
                }
            )
        return {
            "dataset": header_path[: -len(files.HEADER_SUFFIX)],
            "header": header_path,
            "format_version": reader._header.version,
            "num_rows": reader.num_rows,
            "schema": reader.schema,
            "description": reader.description,
            "index_fields": reader.index_fields,
            "distribution": raw.get("distribution", "contiguous"),
            "page_rows": raw.get("page_rows"),
            "shards": shards,
        }


def _info(args: argparse.Namespace) -> int:
    info = _collect_info(args.dataset)
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    print(f"MindRecord dataset {info['dataset']} (format version {info['format_version']})")
    print(f"rows: {info['num_rows']} in {len(info['shards'])} shard(s), contiguous blocks of rows")
    print(f"description: {info['description'] if info['description'] is not None else '-'}")
    print(f"index fields: {', '.join(info['index_fields']) or '-'}")
    print("schema:")
    width = max(len(name) for name in info["schema"])
    for name, spec in info["schema"].items():
        shape = f" shape {spec['shape']}" if "shape" in spec else ""
        print(f"  {name.ljust(width)}  {spec['type']}{shape}")
    print("shards:")
    rows = [("file", "rows", "first row", "bytes", "pages")]
    for s in info["shards"]:
        pages = s["pages"]
        layout = str(len(pages))
        if len(pages) == 1:
            layout += f" ({pages[0]} rows)"
        elif pages:
            low, high = min(pages), max(pages)
            layout += f" ({low} rows each)" if low == high else f" ({low}..{high} rows)"
        rows.append((s["file"], str(s["rows"]), str(s["row_start"]), str(s["bytes"]), layout))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        left = r[0].ljust(widths[0])
        nums = "  ".join(v.rjust(w) for v, w in zip(r[1:4], widths[1:4]))
        print(f"  {left}  {nums}  {r[4]}")
    if info["page_rows"]:
        print(
            f"pages: one Arrow record batch of up to {info['page_rows']} rows (fewer when rows "
            "are large, about 32 MB a page)"
        )
    return 0


def _clean(dataset: str) -> list[str]:
    """Remove the leftovers of killed writes of ``dataset``, under the commit lock; the paths."""
    from mind.data._src.mindrecord import files
    from mind.data._src.mindrecord.header import is_made_shard, read_header, resolve_header
    from mind.data.errors import MindRecordFormatError

    header_path = resolve_header(os.fspath(dataset))
    name = header_path[: -len(files.HEADER_SUFFIX)]
    with files.commit_lock(os.path.dirname(os.path.abspath(header_path))):
        try:  # stray shards only beside a header that can be read: it says what to keep
            listed = [s.path for s in read_header(header_path).shards]
            strays = [p for p in files.stray_shards(name, listed) if is_made_shard(p)]
        except MindRecordFormatError:
            strays = []
        removed = files.remove_stale(name, files.stale_temporaries(name), "temporary")
        removed += files.remove_stale(name, strays, "stray shard")
        if removed:
            files.fsync_dir(os.path.dirname(os.path.abspath(header_path)))
    return removed


def _verify(args: argparse.Namespace) -> int:
    from mind.data._src.mindrecord.header import read_header, resolve_header
    from mind.data._src.mindrecord.reader import _verify as verify

    if args.clean:
        removed = _clean(args.dataset)
        for path in removed:
            print(f"removed {path}")
        print(f"{PROG} verify --clean: removed {len(removed)} file(s) left by killed writes")
    problems, strays = verify(args.dataset)
    # Stray shards of an interrupted write are reported, but do not make a sound dataset fail.
    for stray in strays:
        print(f"note: {stray}")
    if problems:
        for problem in problems:
            print(f"problem: {problem}")
        print(f"{PROG} verify: {len(problems)} problem(s) in {args.dataset}", file=sys.stderr)
        return 1
    header = read_header(resolve_header(os.fspath(args.dataset)))
    print(f"OK: {header.num_rows} rows, {len(header.shards)} shard(s), checksums match")
    return 0


# ------------------------------------------------------------------------------------------------
# doctor
# ------------------------------------------------------------------------------------------------


def _doctor(args: argparse.Namespace) -> int:
    from mind.data._src.dataset import Dataset
    from mind.data._src.doctor import format_report

    module_part, sep, attr = args.target.rpartition(":")
    if not sep or not module_part or not attr:
        raise CliError(
            f"expected MODULE:ATTR (a dotted module or a path/to/file.py, a colon, then the name "
            f"of a Dataset or of a function returning one), got {args.target!r}"
        )
    with _import_path(module_part) as module:
        target: Any = module
        for part in attr.split("."):
            if not hasattr(target, part):
                raise CliError(f"{module_part} has no attribute {attr!r}")
            target = getattr(target, part)
        if isinstance(target, Dataset):
            dataset = target
        elif callable(target):
            dataset = _user_call(target, f"calling {args.target}")
            if not isinstance(dataset, Dataset):
                raise CliError(
                    f"{args.target}() returned {type(dataset).__name__}, not a mind.data Dataset"
                )
        else:
            raise CliError(
                f"{args.target} is a {type(target).__name__}, not a mind.data Dataset or a "
                "function of no arguments returning one"
            )
        print(f"pipeline {args.target}:")
        for line in repr(dataset).splitlines():
            print(f"  {line}")
        report = _user_call(
            lambda: dataset.doctor(num_rows=args.rows, verbose=False),
            f"running {args.target}",
        )
    print(format_report(report))
    return 0


@contextlib.contextmanager
def _import_path(spec: str) -> Iterator[Any]:
    """Import a dotted module or a ``.py`` file, with its directory on ``sys.path`` meanwhile."""
    is_file = spec.endswith(".py") or "/" in spec or os.sep in spec
    if is_file:
        path = Path(spec)
        if not path.is_file():
            raise CliError(
                f"{spec} does not exist" if not path.exists() else f"{spec} is not a file"
            )
        directory = str(path.resolve().parent)
    else:
        directory = os.getcwd()  # as `python -m` would; a console script lacks it
    added = directory not in sys.path
    if added:
        sys.path.insert(0, directory)
    try:
        if is_file:
            name = f"_mind_data_doctor_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                raise CliError(f"{spec} cannot be imported as a Python file")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module  # so pickling and dataclasses can find it
            try:
                _user_call(lambda: module_spec.loader.exec_module(module), f"importing {spec}")
            except BaseException:
                sys.modules.pop(name, None)
                raise
        else:
            try:
                module = importlib.import_module(spec)
            except ModuleNotFoundError as exc:
                if (
                    exc.name
                    and spec.startswith(exc.name)
                    and spec[len(exc.name) :][:1] in ("", ".")
                ):
                    raise CliError(
                        f"no module named {exc.name!r} (run from the directory that holds it, or "
                        "pass a path/to/file.py)"
                    ) from None
                raise CliError(f"importing {spec} failed: {_located(exc)}") from None
            except Exception as exc:
                raise CliError(f"importing {spec} failed: {_located(exc)}") from None
        yield module
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(directory)


def _user_call(fn: Callable[[], Any], doing: str) -> Any:
    """Run the user's code; an exception becomes one line naming where it was raised."""
    try:
        return fn()
    except (CliError, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise CliError(f"{doing} failed: {_located(exc)}") from None


def _located(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {_one_line(exc)}{where}"
