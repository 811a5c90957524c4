"""Quickstart: train LeNet-5 on the shipped digits, deploy it as a checkpoint, predict with it.

    python examples/quickstart.py

1. Check the installation (every device's memory is exercised).
2. Train LeNet-5 on the UCI digits that ship with mind-data (about 13 s on two cores).
3. Deploy: save the weights as a checkpoint (safetensors), load them into a fresh network.
4. Predict on test images with the loaded network and report its accuracy.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
from lenet_digits import LeNet5, prepare, train

import mind.core as ms
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
