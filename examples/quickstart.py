"""Quickstart: train LeNet-5 on the shipped digits, deploy it as a checkpoint and as an int8
edge model, predict with both.

    python examples/quickstart.py

1. Check the installation (every device's memory is exercised).
2. Train LeNet-5 on the UCI digits that ship with mind-data (about 13 s on two cores).
3. Deploy: save the weights as a checkpoint (safetensors), load them into a fresh network.
4. Predict on test images with the loaded network and report its accuracy.
5. Deploy to the edge: export MindIR, convert it with mind-lite to an int8 lite model, predict
   with mind-lite's runtime and report that accuracy and the file sizes.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
from lenet_digits import LeNet5, prepare, train

import mind.core as ms
import mind.lite as mslite
from mind.core import Tensor
from mind.data import load_digits

if not ms.run_check():
    sys.exit("Mind's self-check failed; see the lines above.")

print("\nTraining LeNet-5 on the digits ...")
net, accuracy = train()
print(f"trained: test accuracy {accuracy:.4f}")

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "lenet_digits.ckpt"
    ms.save_checkpoint(net, str(path), append_dict={"test_accuracy": accuracy})
    print(f"deployed: {path.name}, {path.stat().st_size / 1024:.0f} KiB")
    served = LeNet5()
    not_loaded, unused = ms.load_param_into_net(served, ms.load_checkpoint(str(path)))
    assert not not_loaded, f"parameters missing from the checkpoint: {not_loaded}"

served.set_train(False)
images, labels = load_digits("test")
predicted = served(Tensor(prepare(images))).argmax(axis=1).asnumpy()
print("first ten test digits:", labels[:10].tolist())
print("predicted:            ", predicted[:10].tolist())
print(f"accuracy of the deployed model: {np.mean(predicted == labels):.4f}")

with tempfile.TemporaryDirectory() as tmp:
    x = Tensor(prepare(images))
    ms.export(served, x, file_name=f"{tmp}/lenet", file_format="MINDIR")
    config = Path(tmp) / "int8.cfg"
    config.write_text("[common_quant_param]\nquant_type=WEIGHT_QUANT\nmin_quant_weight_channel=0\n")
    edge = mslite.Converter().convert(
        mslite.FmkType.MINDIR, f"{tmp}/lenet.mindir", f"{tmp}/lenet_int8", config_file=str(config)
    )
    model = mslite.Model()
    model.build_from_file(edge, mslite.ModelType.MINDIR_LITE, mslite.Context())
    inputs = model.get_inputs()
    inputs[0].set_data_from_numpy(x.asnumpy())
    logits = model.predict(inputs)[0].get_data_to_numpy()
    mindir_kib = Path(f"{tmp}/lenet.mindir").stat().st_size / 1024
    print(
        f"edge model: {Path(edge).name}, {Path(edge).stat().st_size / 1024:.0f} KiB (MindIR {mindir_kib:.0f} KiB)"
    )
    print(
        f"accuracy of the int8 edge model (mind-lite): {np.mean(logits.argmax(axis=1) == labels):.4f}"
    )
