"""mind-data: MindData pipelines, MindRecord on Apache Arrow, datasets and transforms.

Mirrors ``mindspore.dataset``: import it as ``import mind.data as ds`` and build pipelines the same
way::

    import mind.data as ds

    data = ds.DigitsDataset("train", shuffle=True).map(lambda x: x / 16.0, "image").batch(32)
    for image, label in data:          # mind.core Tensors; output_numpy=True for numpy
        ...
"""

from __future__ import annotations

from mind.data import callback as callback
from mind.data import config as config
from mind.data import mindrecord as mindrecord
from mind.data import text as text
from mind.data import transforms as transforms
from mind.data import vision as vision
from mind.data._src.callbacks import DSCallback as DSCallback
from mind.data._src.callbacks import WaitedDSCallback as WaitedDSCallback
from mind.data._src.dataset import BatchInfo as BatchInfo
from mind.data._src.dataset import Dataset as Dataset
from mind.data._src.samplers import DistributedSampler as DistributedSampler
from mind.data._src.samplers import PKSampler as PKSampler
from mind.data._src.samplers import RandomSampler as RandomSampler
from mind.data._src.samplers import Sampler as Sampler
from mind.data._src.samplers import SequentialSampler as SequentialSampler
from mind.data._src.samplers import SubsetRandomSampler as SubsetRandomSampler
from mind.data._src.samplers import SubsetSampler as SubsetSampler
from mind.data._src.samplers import WeightedRandomSampler as WeightedRandomSampler
from mind.data._src.sources import Cifar10Dataset as Cifar10Dataset
from mind.data._src.sources import DigitsDataset as DigitsDataset
from mind.data._src.sources import GeneratorDataset as GeneratorDataset
from mind.data._src.sources import ImageFolderDataset as ImageFolderDataset
from mind.data._src.sources import MindDataset as MindDataset
from mind.data._src.sources import MnistDataset as MnistDataset
from mind.data._src.sources import NumpySlicesDataset as NumpySlicesDataset
from mind.data.digits import load_digits as load_digits

__version__ = "0.1.0"


class Shuffle:
    """MindDataset shuffle modes (``Shuffle.GLOBAL``, ``Shuffle.FILES``, ``Shuffle.INFILE``)."""

    class _Mode:
        def __init__(self, value: str) -> None:
            self.value = value

        def __repr__(self) -> str:
            return f"Shuffle.{self.value.upper()}"

    GLOBAL = _Mode("global")
    FILES = _Mode("files")
    INFILE = _Mode("infile")


# After Shuffle: the CSV and text readers take Shuffle.GLOBAL as their default.
from mind.data._src.formats import Cifar100Dataset as Cifar100Dataset  # noqa: E402
from mind.data._src.formats import CocoDataset as CocoDataset  # noqa: E402
from mind.data._src.formats import CSVDataset as CSVDataset  # noqa: E402
from mind.data._src.formats import EMnistDataset as EMnistDataset  # noqa: E402
from mind.data._src.formats import FashionMnistDataset as FashionMnistDataset  # noqa: E402
from mind.data._src.formats import KMnistDataset as KMnistDataset  # noqa: E402
from mind.data._src.formats import ManifestDataset as ManifestDataset  # noqa: E402
from mind.data._src.formats import PaddedDataset as PaddedDataset  # noqa: E402
from mind.data._src.formats import QMnistDataset as QMnistDataset  # noqa: E402
from mind.data._src.formats import RandomDataset as RandomDataset  # noqa: E402
from mind.data._src.formats import Schema as Schema  # noqa: E402
from mind.data._src.formats import SemeionDataset as SemeionDataset  # noqa: E402
from mind.data._src.formats import TextFileDataset as TextFileDataset  # noqa: E402
from mind.data._src.formats import USPSDataset as USPSDataset  # noqa: E402
from mind.data._src.formats import VOCDataset as VOCDataset  # noqa: E402

__all__ = [
    "BatchInfo",
    "CSVDataset",
    "Cifar10Dataset",
    "Cifar100Dataset",
    "CocoDataset",
    "DSCallback",
    "Dataset",
    "DigitsDataset",
    "DistributedSampler",
    "EMnistDataset",
    "FashionMnistDataset",
    "GeneratorDataset",
    "ImageFolderDataset",
    "KMnistDataset",
    "ManifestDataset",
    "MindDataset",
    "MnistDataset",
    "NumpySlicesDataset",
    "PKSampler",
    "PaddedDataset",
    "QMnistDataset",
    "RandomDataset",
    "RandomSampler",
    "Sampler",
    "Schema",
    "SemeionDataset",
    "SequentialSampler",
    "Shuffle",
    "SubsetRandomSampler",
    "SubsetSampler",
    "TextFileDataset",
    "USPSDataset",
    "VOCDataset",
    "WaitedDSCallback",
    "WeightedRandomSampler",
    "__version__",
    "callback",
    "config",
    "load_digits",
    "mindrecord",
    "text",
    "transforms",
    "vision",
]
