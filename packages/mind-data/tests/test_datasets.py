"""The standard datasets as pipeline sources, and training from a pipeline."""

import numpy as np
import pytest
from PIL import Image

import mind.core as ms
import mind.data as ds
from mind.data._src.fixtures import write_cifar10, write_mnist


def test_mnist_dataset_columns_and_usage(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28) % 256
    write_mnist(tmp_path, images.astype(np.uint8), [7, 1, 4], prefix="train")
    write_mnist(tmp_path, images[:2].astype(np.uint8), [0, 9], prefix="t10k")
    train = ds.MnistDataset(str(tmp_path), usage="train", shuffle=False)
    image, label = next(iter(train.create_tuple_iterator(output_numpy=True)))
    assert image.shape == (28, 28, 1) and image.dtype == np.uint8 and label.dtype == np.uint32
    np.testing.assert_array_equal(image[..., 0], images[0].astype(np.uint8))
    assert [int(r[1]) for r in train.create_tuple_iterator(output_numpy=True)] == [7, 1, 4]
    assert ds.MnistDataset(str(tmp_path), usage="test").get_dataset_size() == 2
    assert ds.MnistDataset(str(tmp_path)).get_dataset_size() == 5
    shard = ds.MnistDataset(str(tmp_path), usage="train", num_shards=3, shard_id=0, shuffle=False)
    assert shard.get_dataset_size() == 1


def test_cifar10_dataset(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    write_cifar10(tmp_path, images, [3, 1, 4, 1], "data_batch_1.bin")
    data = ds.Cifar10Dataset(str(tmp_path), usage="train", shuffle=False)
    rows = list(data.create_tuple_iterator(output_numpy=True))
    np.testing.assert_array_equal(rows[2][0], images[2])
    assert [int(r[1]) for r in rows] == [3, 1, 4, 1]


def test_image_folder_with_decode_map_and_batch(tmp_path):
    for cls, color in [("cat", 10), ("dog", 200)]:
        (tmp_path / cls).mkdir()
        for i in range(3):
            Image.fromarray(np.full((6 + i, 5, 3), color, np.uint8)).save(
                tmp_path / cls / f"{i}.png"
            )
    data = ds.ImageFolderDataset(str(tmp_path), shuffle=False)
    raw, label = next(iter(data.create_tuple_iterator(output_numpy=True)))
    assert raw.dtype == np.uint8 and raw.ndim == 1 and int(label) == 0
    pipeline = (
        ds.ImageFolderDataset(str(tmp_path), decode=True, shuffle=False)
        .map(lambda im: im[:4, :4].astype(np.float32) / 255, "image", num_parallel_workers=2)
        .batch(3)
    )
    batches = list(pipeline.create_tuple_iterator(output_numpy=True))
    assert [b[0].shape for b in batches] == [(3, 4, 4, 3), (3, 4, 4, 3)]
    assert np.allclose(batches[1][0], 200 / 255) and batches[1][1].tolist() == [1, 1, 1]


def test_model_trains_from_a_pipeline():
    from mind.core import nn
    from mind.core.train import Model

    ms.set_seed(0)
    ds.config.set_seed(0)
    train = (
        ds.DigitsDataset("train")
        .map(lambda x: (x.reshape(-1) / 16.0).astype(np.float32), "image")
        .map(lambda y: y.astype(np.int64), "label")
        .batch(64)
    )
    test = (
        ds.DigitsDataset("test", shuffle=False)
        .map(lambda x: (x.reshape(-1) / 16.0).astype(np.float32), "image")
        .map(lambda y: y.astype(np.int64), "label")
        .batch(128)
    )
    net = nn.SequentialCell(nn.Dense(64, 64), nn.ReLU(), nn.Dense(64, 10))
    model = Model(
        net, nn.CrossEntropyLoss(), nn.Adam(net.trainable_params(), 0.01), metrics={"accuracy"}
    )
    model.train(5, train)
    assert model.eval(test)["accuracy"] > 0.9


def test_bad_usage_and_arguments():
    from mind.core.errors import MindValueError

    with pytest.raises(MindValueError, match="'usage' must be 'train', 'test', 'all' or None"):
        ds.DigitsDataset("validation")
    with pytest.raises(MindValueError, match="'buffer_size' must be an int >= 2"):
        ds.DigitsDataset().shuffle(1)
    with pytest.raises(MindValueError, match="'batch_size' must be an int >= 1"):
        ds.DigitsDataset().batch(0)
