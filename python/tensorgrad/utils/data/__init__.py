"""tensorgrad.utils.data: Dataset, TensorDataset, Subset, random_split and a DataLoader over
Python datasets (shuffling, batching, drop_last, a seeded generator) as PyTorch's, without
worker processes. Batches are stacked by the C++ stack op."""

import random

from ... import _C
from ..._tensor import Tensor


class Dataset:
    def __getitem__(self, index):
        raise NotImplementedError

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    def __init__(self, *tensors):
        if any(len(t) != len(tensors[0]) for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


class ConcatDataset(Dataset):
    def __init__(self, datasets):
        self.datasets = list(datasets)

    def __len__(self):
        return sum(len(d) for d in self.datasets)

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        for d in self.datasets:
            if index < len(d):
                return d[index]
            index -= len(d)
        raise IndexError("index out of range")


class Subset(Dataset):
    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class Generator:
    """A seeded source of permutations (what DataLoader's generator= and random_split take)."""

    def __init__(self):
        self._rng = random.Random(0)

    def manual_seed(self, seed):
        self._rng.seed(seed)
        return self

    def permutation(self, n):
        order = list(range(n))
        self._rng.shuffle(order)
        return order


def random_split(dataset, lengths, generator=None):
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = (generator or Generator()).permutation(len(dataset))
    out, start = [], 0
    for n in lengths:
        out.append(Subset(dataset, order[start:start + n]))
        start += n
    return out


def default_collate(batch):
    first = batch[0]
    if isinstance(first, Tensor):
        return _C.stack(list(batch), 0)
    if isinstance(first, (bool, int, float)):
        return _C.tensor(list(batch))
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(items)) for items in zip(*batch)) \
            if isinstance(first, tuple) else [default_collate(list(i)) for i in zip(*batch)]
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    try:
        import numpy as np

        if isinstance(first, np.ndarray):
            return _C.stack([_C.from_numpy(np.ascontiguousarray(b)) for b in batch], 0)
    except ImportError:
        pass
    return batch


class DataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False,
                 collate_fn=None, generator=None, num_workers=0, **kwargs):
        if num_workers:
            raise NotImplementedError("DataLoader(num_workers > 0) is not supported by "
                                      "tensorgrad.utils.data")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate
        self.generator = generator or Generator()

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else range(n)
        order = list(order)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            yield self.collate_fn([self.dataset[i] for i in idx])
