"""``mind-lite``: the command line, with converter_lite's flags.

mind-lite convert --fmk=MINDIR --modelFile=lenet.mindir --outputFile=lenet [--optimize=general]
mind-lite convert --fmk=ONNX --modelFile=lenet.onnx --outputFile=lenet
mind-lite info lenet.ms
"""

from __future__ import annotations

import argparse
import sys

from mind.lite.errors import MindLiteError

__all__ = ["main"]


def _convert(args: argparse.Namespace) -> int:
    from mind.lite._src.converter import Converter, FmkType

    converter = Converter()
    converter.optimize = args.optimize
    converter.fp16 = args.fp16 == "on"
    try:
        fmk = FmkType[args.fmk.upper()]
    except KeyError:
        raise MindLiteError(
            f"--fmk={args.fmk}: one of {', '.join(f.name for f in FmkType)}"
        ) from None
    if args.inputShape:
        converter.input_shape = _input_shape(args.inputShape)
    out = converter.convert(fmk, args.modelFile, args.outputFile, config_file=args.configFile)
    print(f"CONVERT RESULT SUCCESS:0 ({out})")
    return 0


def _input_shape(text: str) -> dict[str, list[int]]:
    """converter_lite's ``--inputShape="x:1,3,32,32;mask:1,32"``."""
    shapes = {}
    for item in filter(None, text.split(";")):
        name, _, dims = item.rpartition(":")
        try:
            shapes[name] = [int(d) for d in dims.split(",")]
        except ValueError:
            raise MindLiteError(f"--inputShape={text}: 'name:d0,d1,...;name2:...'") from None
        if not name:
            raise MindLiteError(f"--inputShape={text}: 'name:d0,d1,...;name2:...'")
    return shapes


def _info(args: argparse.Namespace) -> int:
    from mind.lite._src import format as lite_format
    from mind.lite._src.kernels import file_ops

    graph = lite_format.read(args.model, ops=file_ops())
    size = sum(a.nbytes for a in graph.tensors.values())
    print(f"{args.model}: {len(graph.nodes)} nodes, {len(graph.tensors)} tensors ({size} bytes)")
    print(graph)
    return 0


def _benchmark(args: argparse.Namespace) -> int:
    from mind.lite._src.benchmark import benchmark

    result = benchmark(
        args.modelFile,
        loop_count=args.loopCount,
        warm_up_loop_count=args.warmUpLoopCount,
        num_threads=args.numThreads,
        in_data_file=args.inDataFile,
        benchmark_data_file=args.benchmarkDataFile,
        accuracy_threshold=args.accuracyThreshold,
    )
    print(result.summary())
    return 0


def _compare(args: argparse.Namespace) -> int:
    from mind.lite._src import format as lite_format
    from mind.lite._src.compare import compare, format_table
    from mind.lite._src.kernels import file_ops
    from mind.lite._src.quantize import QuantConfig, calibration_data, set_option

    graph = lite_format.read(args.model, ops=file_ops())
    config = QuantConfig(calibrate_size=args.count)
    spec = args.data if ":" in args.data else f"{graph.inputs[0].name}:{args.data}"
    set_option(config, "calibrate_path", spec)
    samples = calibration_data(graph, config)
    print(format_table(compare(args.model, args.against, samples), args.minSqnr))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mind-lite", description="Mind Lite: convert and inspect lite models"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    conv = sub.add_parser("convert", help="convert a .mindir or .onnx model to a lite model (.ms)")
    conv.add_argument("--fmk", required=True, help="the source framework: MINDIR or ONNX")
    conv.add_argument("--modelFile", required=True, help="the model to convert")
    conv.add_argument("--outputFile", required=True, help="the output path (.ms is appended)")
    conv.add_argument("--optimize", default="general", choices=["none", "general"])
    conv.add_argument("--configFile", default="", help="post-training quantization (INI)")
    conv.add_argument("--fp16", default="off", choices=["on", "off"], help="float16 weights")
    conv.add_argument(
        "--inputShape", default="", help='ONNX inputs\' fixed shapes: "x:1,3,32,32;y:1,10"'
    )
    conv.set_defaults(run=_convert)
    bench = sub.add_parser("benchmark", help="latency (and accuracy) of a lite model")
    bench.add_argument("--modelFile", required=True)
    bench.add_argument("--loopCount", type=int, default=10)
    bench.add_argument("--warmUpLoopCount", type=int, default=3)
    bench.add_argument("--numThreads", type=int, default=2)
    bench.add_argument("--inDataFile", help="inputs: .npy files, comma-separated")
    bench.add_argument("--benchmarkDataFile", help="expected outputs: .npy files, comma-separated")
    bench.add_argument("--accuracyThreshold", type=float, default=0.5, help="in percent")
    bench.set_defaults(run=_benchmark)
    cmp = sub.add_parser("compare", help="a float model and its quantized one, layer by layer")
    cmp.add_argument("--model", required=True, help="the float32 .ms model")
    cmp.add_argument("--against", required=True, help="its quantized .ms model")
    cmp.add_argument("--data", required=True, help="a folder of input samples (.npy or raw .bin)")
    cmp.add_argument("--count", type=int, default=100, help="samples to use")
    cmp.add_argument("--minSqnr", type=float, default=20.0, help="dB; below it, keep a layer float")
    cmp.set_defaults(run=_compare)
    info = sub.add_parser("info", help="print a lite model's graph")
    info.add_argument("model")
    info.set_defaults(run=_info)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except MindLiteError as exc:
        print(f"mind-lite: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
