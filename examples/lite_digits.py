"""The edge path on the shipped digits: train LeNet-5, convert it to a lite model in float32 and
in int8 (post-training quantization, and quantization-aware training), compare accuracy and size.

    python examples/lite_digits.py [--epochs N]

Prints one line per model: ``<kind>: accuracy A, file B bytes`` (fp32, weight-quantized int8,
fully quantized int8 with 100 calibration images, int8 from 3 epochs of quantization-aware
fine-tuning), then ``int8 / fp32 size: R``.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np
from lenet_digits import Batches, prepare, train

import mind.core as ms
import mind.lite as mslite
from mind.core import nn
from mind.core.train import Model
from mind.data import load_digits
from mind.lite.quant import SimulatedQuantizationAwareTraining

CONFIGS = {
    "int8 weights": "[common_quant_param]\nquant_type=WEIGHT_QUANT\nbit_num=8\nmin_quant_weight_channel=0\n",
    "int8 full": (
        "[common_quant_param]\nquant_type=FULL_QUANT\nbit_num=8\nmin_quant_weight_channel=0\n"
        "[data_preprocess_param]\ncalibrate_path={input}:{calibration}\ncalibrate_size=100\ninput_type=NPY\n"
        "[full_quant_param]\nactivation_quant_method=MAX_MIN\nper_channel=true\n"
    ),
}


def accuracy(path: str, images: np.ndarray, labels: np.ndarray) -> float:
    model = mslite.Model()
    model.build_from_file(path, mslite.ModelType.MINDIR_LITE, mslite.Context())
    predicted = [model.run([image[None]])[0].argmax() for image in images]
    return float(np.mean(np.array(predicted) == labels))


def main(epochs: int) -> None:
    net, _ = train(epochs, device="native")
    net.set_train(False)
    images, labels = load_digits("test")
    images = prepare(images)
    folder = tempfile.mkdtemp(prefix="mind-lite-digits-")
    mindir = os.path.join(folder, "lenet")
    ms.export(
        net, ms.Tensor(np.zeros((1, 1, 32, 32), np.float32)), file_name=mindir, file_format="MINDIR"
    )
    calibration = os.path.join(folder, "calibration")
    os.mkdir(calibration)
    for i, image in enumerate(prepare(load_digits("train")[0])[:100]):
        np.save(os.path.join(calibration, f"{i:03d}.npy"), image[None])
    converter = mslite.Converter()
    reader = mslite.Model()
    reader.build_from_file(mindir + ".mindir", mslite.ModelType.MINDIR)
    input_name = reader.get_inputs()[0].name  # calibrate_path names the input
    sizes = {}
    for kind, config in [("fp32", None), *CONFIGS.items()]:
        config_file = ""
        if config is not None:
            config_file = os.path.join(folder, kind.replace(" ", "_") + ".cfg")
            with open(config_file, "w") as f:
                f.write(config.format(input=input_name, calibration=calibration))
        out = converter.convert(
            mslite.FmkType.MINDIR,
            mindir + ".mindir",
            os.path.join(folder, kind.replace(" ", "_")),
            config_file=config_file,
        )
        sizes[kind] = os.path.getsize(out)
        print(f"{kind}: accuracy {accuracy(out, images, labels):.4f}, file {sizes[kind]} bytes")
    # Quantization-aware training: fine-tune the trained network on int8 grids, then convert.
    algo = SimulatedQuantizationAwareTraining()
    qat = algo.apply(net)
    train_x, train_y = load_digits("train")
    batches = Batches(prepare(train_x), train_y, 32, shuffle=True, shift=2, seed=1)
    optimizer = nn.Adam(qat.trainable_params(), learning_rate=3e-4)
    Model(qat, nn.CrossEntropyLoss(), optimizer).train(3, batches)
    deploy = algo.convert(qat)
    qat_mindir = os.path.join(folder, "lenet_qat")
    ms.export(
        deploy,
        ms.Tensor(np.zeros((1, 1, 32, 32), np.float32)),
        file_name=qat_mindir,
        file_format="MINDIR",
    )
    out = converter.convert(mslite.FmkType.MINDIR, qat_mindir + ".mindir", qat_mindir)
    print(
        f"int8 qat: accuracy {accuracy(out, images, labels):.4f}, file {os.path.getsize(out)} bytes"
    )
    print(f"int8 / fp32 size: {sizes['int8 full'] / sizes['fp32']:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=25)
    main(parser.parse_args().epochs)
