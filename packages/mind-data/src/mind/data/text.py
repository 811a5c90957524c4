"""Text transforms, as ``mindspore.dataset.text``: vocabularies, tokenizers, lookups, n-grams.

Strings are numpy string arrays (``dtype('<U…')``); a Python ``str`` and UTF-8 ``bytes`` arrays
(``dtype('S…')``) are accepted too, and every op returns ``str`` arrays. The tokenizers take one
string (a 0-d array, as a dataset row of a sentence column holds it) and return a 1-D array of
tokens; with ``with_offsets=True`` they return three columns, ``(tokens, offsets_start,
offsets_limit)``, the offsets counted in UTF-8 bytes (uint32), as MindSpore's. A string that
yields no token gives ``[""]`` with offsets ``[0]``, ``[0]``, as in MindSpore.

Regular expressions are Python's :mod:`re`, not ICU's: the syntax both share (classes,
quantifiers, groups, ``\\s``, ``\\d``, ``\\w``, alternation) means the same; ICU-only syntax
(``\\p{…}`` property classes, possessive ``*+``) is not available. ``RegexReplace``'s
replacement string keeps ICU's form: ``$1`` is group 1, ``\\$`` a dollar sign.

Example::

    >>> import numpy as np
    >>> from mind.data import text
    >>> tokens = text.WhitespaceTokenizer()(np.array("Welcome to   Mind"))
    >>> tokens
    array(['Welcome', 'to', 'Mind'], dtype='<U7')
    >>> vocab = text.Vocab.from_list(["Welcome", "to", "Mind"], special_tokens=["<unk>"])
    >>> text.Lookup(vocab, "<unk>")(tokens)
    array([1, 2, 3], dtype=int32)
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any

import numpy as np

from mind.core.common import dtype as mstype
from mind.core.errors import MindTypeError, MindValueError
from mind.data.transforms import _is_int, _numpy_dtype, _one_column, _Transform

__all__ = [
    "CaseFold",
    "Lookup",
    "Ngram",
    "NormalizeForm",
    "NormalizeUTF8",
    "PythonTokenizer",
    "RegexReplace",
    "RegexTokenizer",
    "SlidingWindow",
    "ToNumber",
    "TruncateSequencePair",
    "UnicodeCharTokenizer",
    "Vocab",
    "WhitespaceTokenizer",
]

_DOCS = "\n(see docs/data.md#text in the Mind repository)"


# ------------------------------------------------------------------------------------------------
# Argument and input checks
# ------------------------------------------------------------------------------------------------


def _check_bool(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a bool, got {type(value).__name__} {value!r}" + _DOCS
        )
    return bool(value)


def _check_str(op: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a str, got {type(value).__name__} {value!r}" + _DOCS
        )
    return value


def _check_words(op: str, name: str, words: Any) -> list[str]:
    """A list of distinct strings."""
    if not isinstance(words, (list, tuple)) or not all(isinstance(w, str) for w in words):
        raise MindTypeError(f"For '{op}', '{name}' must be a list of str, got {words!r}" + _DOCS)
    seen: set[str] = set()
    dup = [w for w in words if w in seen or seen.add(w)]  # type: ignore[func-returns-value]
    if dup:
        raise MindValueError(
            f"For '{op}', '{name}' contains duplicate word: {sorted(set(dup))}" + _DOCS
        )
    return list(words)


def _check_regex(op: str, name: str, pattern: Any) -> re.Pattern:
    _check_str(op, name, pattern)
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise MindValueError(
            f"For '{op}', '{name}' {pattern!r} is not a valid regular expression ({exc})" + _DOCS
        ) from None


def _strings(op: str, value: Any) -> np.ndarray:
    """``value`` as a numpy ``str`` array (UTF-8 bytes are decoded), or a clear error."""
    if isinstance(value, (str, bytes)):
        value = np.array(value)
    array = np.asarray(value) if isinstance(value, (list, tuple)) else value
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "US":
        what = (
            f"{array.dtype} array of shape {array.shape}"
            if isinstance(array, np.ndarray)
            else f"{type(value).__name__} {value!r}"
        )
        raise MindTypeError(
            f"For '{op}', the input must be a string or a numpy array of strings, got {what}"
            + _DOCS
        )
    if array.dtype.kind == "S":
        try:
            array = np.char.decode(array, "utf-8")
        except UnicodeDecodeError as exc:
            raise MindValueError(
                f"For '{op}', the input is not valid UTF-8 ({exc})" + _DOCS
            ) from None
    return array


def _one_string(op: str, columns: tuple[Any, ...]) -> str:
    array = _strings(op, _one_column(op, columns))
    if array.ndim != 0:
        raise MindValueError(
            f"For '{op}', the input must be one string (a scalar, 0-d), got shape {array.shape}; "
            "tokenize each sentence as its own row" + _DOCS
        )
    return str(array[()])


def _string_array(items: Sequence[str], shape: tuple[int, ...] | None = None) -> np.ndarray:
    out = np.array(list(items), dtype=str)  # dtype=str: an empty list is '<U1', not float64
    return out if shape is None else out.reshape(shape)


def _elementwise(op: str, columns: tuple[Any, ...], fn: Callable[[str], str]) -> np.ndarray:
    array = _strings(op, _one_column(op, columns))
    return _string_array([fn(s) for s in array.ravel().tolist()], array.shape)


# ------------------------------------------------------------------------------------------------
# Vocab
# ------------------------------------------------------------------------------------------------


class Vocab:
    """A vocabulary: a map from each token (str) to its id (int), as
    ``mindspore.dataset.text.Vocab``. Build one with :meth:`from_list`, :meth:`from_dict`,
    :meth:`from_file` or :meth:`from_dataset`; :class:`Lookup` maps tokens to ids with it.

    ``special_tokens`` (``"<pad>"``, ``"<unk>"``…) take the ids ``0..len-1`` in their order with
    ``special_first=True``, or the ids after every word with ``special_first=False``. A word may
    appear only once, and never as a special token too.

    Supported Platforms: ``CPU``.

    Example::

        >>> from mind.data import text
        >>> vocab = text.Vocab.from_list(["w1", "w2", "w3"], ["s1", "s2"], special_first=True)
        >>> vocab.vocab()
        {'s1': 0, 's2': 1, 'w1': 2, 'w2': 3, 'w3': 4}
        >>> vocab.tokens_to_ids(["w3", "nope"]), vocab.ids_to_tokens(0)
        ([4, -1], 's1')
    """

    def __init__(self) -> None:
        self._word2id: dict[str, int] = {}
        self._id2word: dict[int, str] = {}

    @classmethod
    def _build(cls, words: Iterable[str], special: list[str], special_first: bool) -> Vocab:
        words = list(words)
        ordered = special + words if special_first else words + special
        vocab = cls()
        vocab._word2id = {w: i for i, w in enumerate(ordered)}
        vocab._id2word = dict(enumerate(ordered))
        return vocab

    @staticmethod
    def _specials(op: str, words: list[str], special_tokens: Any, special_first: Any) -> list[str]:
        _check_bool(op, "special_first", special_first)
        if special_tokens is None:
            return []
        special = _check_words(op, "special_tokens", special_tokens)
        both = sorted(set(special) & set(words))
        if both:
            raise MindValueError(
                f"For '{op}', special_tokens and word_list contain duplicate word: {both}" + _DOCS
            )
        return special

    @classmethod
    def from_list(
        cls,
        word_list: list[str],
        special_tokens: list[str] | None = None,
        special_first: bool = True,
    ) -> Vocab:
        """A vocab of ``word_list`` in its order (ids 0, 1, …) and ``special_tokens``.

        :param word_list: distinct strings.
        :param special_tokens: distinct strings not in ``word_list``, or None.
        :param special_first: put the special tokens before the words (True) or after them.
        """
        words = _check_words("Vocab.from_list", "word_list", word_list)
        special = cls._specials("Vocab.from_list", words, special_tokens, special_first)
        return cls._build(words, special, special_first)

    @classmethod
    def from_dict(cls, word_dict: dict[str, int]) -> Vocab:
        """A vocab of the ``word -> id`` pairs of ``word_dict``; ids must be ints >= 0 (ids
        starting from 0 with no gaps are advisable, but not required)."""
        op = "Vocab.from_dict"
        if not isinstance(word_dict, dict):
            raise MindTypeError(
                f"For '{op}', 'word_dict' must be a dict of str -> int, got "
                f"{type(word_dict).__name__}" + _DOCS
            )
        for word, wid in word_dict.items():
            if not isinstance(word, str):
                raise MindTypeError(f"For '{op}', every word must be a str, got {word!r}" + _DOCS)
            if not _is_int(wid):
                raise MindTypeError(
                    f"For '{op}', the id of {word!r} must be an int, got {wid!r}" + _DOCS
                )
            if wid < 0:
                raise MindValueError(
                    f"For '{op}', the id of {word!r} must be >= 0, got {wid}" + _DOCS
                )
        vocab = cls()
        vocab._word2id = {w: int(i) for w, i in word_dict.items()}
        vocab._id2word = {}
        for w, i in vocab._word2id.items():
            vocab._id2word.setdefault(i, w)  # two words on one id: the first one decodes it
        return vocab

    @classmethod
    def from_file(
        cls,
        file_path: str,
        delimiter: str = "",
        vocab_size: int | None = None,
        special_tokens: list[str] | None = None,
        special_first: bool = True,
    ) -> Vocab:
        """A vocab of a UTF-8 text file with one word per line, in the file's order.

        :param file_path: the file.
        :param delimiter: with a non-empty delimiter, a line's word ends at the first character
            that is in ``delimiter`` (``"word 12"`` with ``" "`` gives ``"word"``); with ``""``
            the whole line (without its newline) is the word.
        :param vocab_size: read only the first this many words (an int > 0), or all (None).
        :param special_tokens: distinct strings not in the file's words, or None.
        :param special_first: put the special tokens before the words (True) or after them.
        """
        op = "Vocab.from_file"
        if not isinstance(file_path, (str, os.PathLike)):
            raise MindTypeError(
                f"For '{op}', 'file_path' must be a str or a path, got {file_path!r}" + _DOCS
            )
        _check_str(op, "delimiter", delimiter)
        if vocab_size is not None and (not _is_int(vocab_size) or vocab_size <= 0):
            raise MindValueError(
                f"For '{op}', 'vocab_size' must be an int > 0 or None, got {vocab_size!r}" + _DOCS
            )
        special = cls._specials(op, [], special_tokens, special_first)
        try:
            with open(file_path, encoding="utf-8", newline="") as f:
                lines = f.read().splitlines()
        except OSError as exc:
            raise MindValueError(
                f"For '{op}', cannot read {str(file_path)!r}: {exc}" + _DOCS
            ) from None
        split = re.compile("[" + re.escape(delimiter) + "]") if delimiter else None
        words: list[str] = []
        seen: set[str] = set()
        for number, line in enumerate(lines, 1):
            if vocab_size is not None and len(words) == vocab_size:
                break
            word = split.split(line, maxsplit=1)[0] if split else line
            if word in seen:
                raise MindValueError(
                    f"For '{op}', line {number} of {str(file_path)!r} repeats the word {word!r}"
                    + _DOCS
                )
            if word in special:
                raise MindValueError(
                    f"For '{op}', special_tokens and word_list contain duplicate word: {word!r} "
                    f"(line {number} of {str(file_path)!r})" + _DOCS
                )
            seen.add(word)
            words.append(word)
        return cls._build(words, special, special_first)

    @classmethod
    def from_dataset(
        cls,
        dataset: Any,
        columns: str | list[str] | None = None,
        freq_range: tuple[int | None, int | None] | None = None,
        top_k: int | None = None,
        special_tokens: list[str] | None = None,
        special_first: bool = True,
    ) -> Vocab:
        """A vocab of the words in ``columns`` of ``dataset`` (every string of every row),
        ordered by frequency, most frequent first; words of equal frequency in lexicographic
        order.

        :param dataset: a :class:`mind.data.Dataset` whose ``columns`` hold strings.
        :param columns: a column name or a list of them; None: every column.
        :param freq_range: ``(min_frequency, max_frequency)``: keep the words whose count is in
            that closed range; either bound may be None (no bound). None: keep every word.
        :param top_k: then keep only the ``top_k`` most frequent words (an int > 0), or all (None).
        :param special_tokens: distinct strings that are not words of the data, or None.
        :param special_first: put the special tokens before the words (True) or after them.
        """
        op = "Vocab.from_dataset"
        if not hasattr(dataset, "create_dict_iterator"):
            raise MindTypeError(
                f"For '{op}', 'dataset' must be a mind.data dataset, got "
                f"{type(dataset).__name__}" + _DOCS
            )
        names = dataset.get_col_names()
        if columns is None:
            columns = list(names)
        elif isinstance(columns, str):
            columns = [columns]
        if not isinstance(columns, (list, tuple)) or not all(isinstance(c, str) for c in columns):
            raise MindTypeError(
                f"For '{op}', 'columns' must be a column name or a list of names, got {columns!r}"
                + _DOCS
            )
        missing = [c for c in columns if c not in names]
        if missing:
            raise MindValueError(
                f"For '{op}', columns {missing} are not in the dataset's columns {names}" + _DOCS
            )
        low, high = cls._freq_range(op, freq_range)
        if top_k is not None and (not _is_int(top_k) or top_k <= 0):
            raise MindValueError(
                f"For '{op}', 'top_k' must be an int > 0 or None, got {top_k!r}" + _DOCS
            )
        _check_bool(op, "special_first", special_first)
        special = (
            [] if special_tokens is None else _check_words(op, "special_tokens", special_tokens)
        )

        counts: Counter[str] = Counter()
        for row in dataset.create_dict_iterator(num_epochs=1, output_numpy=True):
            for c in columns:
                value = row[c]
                if not isinstance(value, np.ndarray) or value.dtype.kind not in "US":
                    raise MindTypeError(
                        f"For '{op}', column '{c}' must hold strings, got "
                        f"{getattr(value, 'dtype', type(value).__name__)}; tokenize it first"
                        + _DOCS
                    )
                counts.update(_strings(op, value).ravel().tolist())
        both = sorted(set(special) & set(counts))
        if both:
            raise MindValueError(
                f"For '{op}', special_tokens and the dataset's words contain duplicate word: "
                f"{both}" + _DOCS
            )
        kept = [
            (w, n)
            for w, n in counts.items()
            if (low is None or n >= low) and (high is None or n <= high)
        ]
        kept.sort(key=lambda wn: (-wn[1], wn[0]))
        if top_k is not None:
            kept = kept[:top_k]
        return cls._build((w for w, _ in kept), special, special_first)

    @staticmethod
    def _freq_range(op: str, freq_range: Any) -> tuple[int | None, int | None]:
        if freq_range is None:
            return None, None
        ok = isinstance(freq_range, (list, tuple)) and len(freq_range) == 2
        ok = ok and all(f is None or (_is_int(f) and f >= 0) for f in freq_range)
        if ok and None not in freq_range:
            ok = freq_range[0] <= freq_range[1]
        if not ok:
            raise MindValueError(
                f"For '{op}', 'freq_range' must be a tuple (min_frequency, max_frequency) of "
                f"ints >= 0 or None with min <= max, got {freq_range!r}" + _DOCS
            )
        return freq_range[0], freq_range[1]

    def vocab(self) -> dict[str, int]:
        """The ``token -> id`` pairs, as a new dict."""
        return dict(self._word2id)

    def tokens_to_ids(self, tokens: str | Sequence[str] | np.ndarray) -> int | list[int]:
        """The id of a token, or a list of ids for a list of tokens; -1 for a token not in the
        vocab."""
        if isinstance(tokens, np.ndarray):
            tokens = _strings("Vocab.tokens_to_ids", tokens).tolist()
        if isinstance(tokens, str):
            return self._word2id.get(tokens, -1)
        if not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) for t in tokens):
            raise MindTypeError(
                f"For 'Vocab.tokens_to_ids', 'tokens' must be a str or a list of str, got "
                f"{tokens!r}" + _DOCS
            )
        return [self._word2id.get(t, -1) for t in tokens]

    def ids_to_tokens(self, ids: int | Sequence[int] | np.ndarray) -> str | list[str]:
        """The token of an id, or a list of tokens for a list of ids; ``""`` for an id not in
        the vocab."""
        if isinstance(ids, np.ndarray):
            ids = ids.tolist()
        if _is_int(ids):
            return self._id2word.get(int(ids), "")
        if not isinstance(ids, (list, tuple)) or not all(_is_int(i) for i in ids):
            raise MindTypeError(
                f"For 'Vocab.ids_to_tokens', 'ids' must be an int or a list of int, got {ids!r}"
                + _DOCS
            )
        return [self._id2word.get(int(i), "") for i in ids]

    def __len__(self) -> int:
        return len(self._word2id)

    def __repr__(self) -> str:
        return f"Vocab(size={len(self._word2id)})"


# ------------------------------------------------------------------------------------------------
# Lookups and conversions
# ------------------------------------------------------------------------------------------------


def _numeric_dtype(op: str, data_type: Any) -> np.dtype:
    np_type = _numpy_dtype(op, "data_type", data_type)
    if np_type.kind not in "iuf" or np_type.itemsize > 8:
        raise MindTypeError(
            f"For '{op}', 'data_type' must be a numeric type (int, uint or float of at most 64 "
            f"bits), got {np_type.name}" + _DOCS
        )
    return np_type


class Lookup(_Transform):
    """Map each token of a string array to its id in ``vocab`` (any shape; the output has the
    input's shape and dtype ``data_type``).

    :param vocab: a :class:`Vocab`.
    :param unknown_token: the token whose id a word outside the vocab gets; it must be in the
        vocab itself. None: a word outside the vocab is an error.
    :param data_type: the ids' type, a numeric Mind or numpy dtype (default ``mstype.int32``).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> vocab = text.Vocab.from_list(["?", "##", "with", "the", "test", "符号"])
        >>> text.Lookup(vocab)(np.array("with"))
        array(2, dtype=int32)
        >>> text.Lookup(vocab, unknown_token="test")(np.array(["the", "zebra"]))
        array([3, 4], dtype=int32)
    """

    def __init__(
        self, vocab: Vocab, unknown_token: str | None = None, data_type: Any = mstype.int32
    ) -> None:
        if not isinstance(vocab, Vocab):
            raise MindTypeError(
                f"For 'Lookup', 'vocab' must be a text.Vocab, got {type(vocab).__name__}" + _DOCS
            )
        if unknown_token is not None:
            _check_str("Lookup", "unknown_token", unknown_token)
        self.vocab = vocab
        self.unknown_token = unknown_token
        self.data_type = data_type
        self._np = _numeric_dtype("Lookup", data_type)

    def __call__(self, *columns: Any) -> np.ndarray:
        array = _strings("Lookup", _one_column("Lookup", columns))
        table = self.vocab._word2id
        ids = []
        for word in array.ravel().tolist():
            wid = table.get(word)
            if wid is None:
                wid = self._unknown(word)
            ids.append(wid)
        return np.array(ids, dtype=self._np).reshape(array.shape)

    def _unknown(self, word: str) -> int:
        if self.unknown_token is None:
            raise MindValueError(
                f"For 'Lookup', the word {word!r} doesn't exist in vocab and no unknown token "
                "is specified; pass unknown_token (a token of the vocab, such as '<unk>')" + _DOCS
            )
        wid = self.vocab._word2id.get(self.unknown_token)
        if wid is None:
            raise MindValueError(
                f"For 'Lookup', the word {word!r} is out of vocabulary and unknown_token "
                f"{self.unknown_token!r} doesn't exist in vocab either; add it to the vocab "
                "(special_tokens=[...])" + _DOCS
            )
        return wid


# One number: optional sign, digits with an optional fraction and exponent, or inf/nan (what
# C++'s stof accepts, in decimal); ints are digits with an optional sign.
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)", re.I)
_INT = re.compile(r"[+-]?\d+")


class ToNumber(_Transform):
    """Convert each string of an array (any shape) to a number of type ``data_type``.

    A string is one decimal number with optional leading and trailing whitespace: ``"-12"``,
    ``" 3.5e2"``, ``"inf"``. A string that is not a number, a negative number for an unsigned
    type, a fraction for an integer type and a value outside the type's range are errors that
    name the string.

    :param data_type: a numeric Mind or numpy dtype (``mstype.int32``, ``numpy.float32``…).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> import mind.core as ms
        >>> from mind.data import text
        >>> text.ToNumber(ms.int32)(np.array(["1", "-2", "3"]))
        array([ 1, -2,  3], dtype=int32)
        >>> text.ToNumber(ms.float32)(np.array("2.5"))
        array(2.5, dtype=float32)
    """

    def __init__(self, data_type: Any) -> None:
        self.data_type = data_type
        self._np = _numeric_dtype("ToNumber", data_type)

    def __call__(self, *columns: Any) -> np.ndarray:
        array = _strings("ToNumber", _one_column("ToNumber", columns))
        convert = self._float if self._np.kind == "f" else self._int
        return np.array([convert(s) for s in array.ravel().tolist()], dtype=self._np).reshape(
            array.shape
        )

    def _fail(self, s: str, why: str) -> MindValueError:
        return MindValueError(
            f"For 'ToNumber', string {s!r} cannot be converted to {self._np.name}: {why}" + _DOCS
        )

    def _int(self, s: str) -> int:
        if not _INT.fullmatch(s.strip()):
            raise self._fail(s, "it is not an integer")
        value = int(s)
        info = np.iinfo(self._np)
        if self._np.kind == "u" and value < 0:
            raise self._fail(s, "it is negative and the type is unsigned")
        if not info.min <= value <= info.max:
            raise self._fail(s, f"out of range [{info.min}, {info.max}]")
        return value

    def _float(self, s: str) -> float:
        if not _FLOAT.fullmatch(s.strip()):
            raise self._fail(s, "it is not a number")
        value = float(s)
        largest = float(np.finfo(self._np).max)
        if np.isfinite(value) and abs(value) > largest:
            raise self._fail(s, f"out of range (|x| <= {largest:g})")
        return value


class SlidingWindow(_Transform):
    """The windows of ``width`` consecutive elements of a 1-D array: shape ``(n - width + 1,
    width)`` (``(0, width)`` when the array is shorter than ``width``). Any dtype.

    :param width: the window's width, an int > 0.
    :param axis: the axis to slide along; the input is 1-D, so 0 (or -1).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.SlidingWindow(3)(np.array([1, 2, 3, 4, 5]))
        array([[1, 2, 3],
               [2, 3, 4],
               [3, 4, 5]])
    """

    def __init__(self, width: int, axis: int = 0) -> None:
        if not _is_int(width):
            raise MindTypeError(
                f"For 'SlidingWindow', 'width' must be an int, got {width!r}" + _DOCS
            )
        if width <= 0:
            raise MindValueError(f"For 'SlidingWindow', 'width' must be > 0, got {width}" + _DOCS)
        if not _is_int(axis):
            raise MindTypeError(f"For 'SlidingWindow', 'axis' must be an int, got {axis!r}" + _DOCS)
        self.width = int(width)
        self.axis = int(axis)

    def __call__(self, *columns: Any) -> np.ndarray:
        array = np.asarray(_one_column("SlidingWindow", columns))
        if array.ndim != 1:
            raise MindValueError(
                f"For 'SlidingWindow', the input must be 1-D, got shape {array.shape}" + _DOCS
            )
        if self.axis not in (0, -1):
            raise MindValueError(
                f"For 'SlidingWindow', 'axis' must be 0 or -1 for a 1-D input, got {self.axis}"
                + _DOCS
            )
        if len(array) < self.width:
            return np.empty((0, self.width), array.dtype)
        return np.lib.stride_tricks.sliding_window_view(array, self.width).copy()


class TruncateSequencePair(_Transform):
    """Truncate two 1-D arrays (two columns) so that their lengths add up to at most
    ``max_length``: one element at a time comes off the end of the longer one (of the second
    when they are equally long).

    :param max_length: the most elements the pair may keep, an int >= 0.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.TruncateSequencePair(4)(np.array([1, 2, 3]), np.array([4, 5]))
        (array([1, 2]), array([4, 5]))
    """

    def __init__(self, max_length: int) -> None:
        if not _is_int(max_length):
            raise MindTypeError(
                f"For 'TruncateSequencePair', 'max_length' must be an int, got {max_length!r}"
                + _DOCS
            )
        if max_length < 0:
            raise MindValueError(
                f"For 'TruncateSequencePair', 'max_length' must be >= 0, got {max_length}" + _DOCS
            )
        self.max_length = int(max_length)

    def __call__(self, *columns: Any) -> tuple[np.ndarray, np.ndarray]:
        if len(columns) != 2:
            raise MindTypeError(
                f"For 'TruncateSequencePair', expected 2 input columns, got {len(columns)}; map "
                "it over two columns (input_columns=[a, b])" + _DOCS
            )
        first, second = (np.asarray(c) for c in columns)
        if first.ndim != 1 or second.ndim != 1:
            raise MindValueError(
                "For 'TruncateSequencePair', both sequences must be 1-D, got shapes "
                f"{first.shape} and {second.shape}" + _DOCS
            )
        n1, n2 = len(first), len(second)
        excess = max(n1 + n2 - self.max_length, 0)
        # Trim the longer until both are equal, then alternate (second first): closed form.
        gap = min(abs(n1 - n2), excess)
        cut1, cut2 = (gap, 0) if n1 > n2 else (0, gap)
        rest = excess - gap
        cut1, cut2 = cut1 + rest // 2, cut2 + rest - rest // 2
        return first[: n1 - cut1], second[: n2 - cut2]


# ------------------------------------------------------------------------------------------------
# Tokenizers
# ------------------------------------------------------------------------------------------------


def _tokens_out(tokens: list[str], starts: list[int], limits: list[int], with_offsets: bool) -> Any:
    if not tokens:
        tokens, starts, limits = [""], [0], [0]
    out = _string_array(tokens)
    if not with_offsets:
        return out
    return out, np.array(starts, np.uint32), np.array(limits, np.uint32)


def _byte_offsets(s: str) -> list[int]:
    """``offsets[i]``: the UTF-8 byte offset of character ``i`` of ``s`` (and of its end)."""
    offsets = [0]
    for ch in s:
        offsets.append(offsets[-1] + len(ch.encode("utf-8")))
    return offsets


def _split_spans(s: str, spans: list[tuple[int, int, bool]], with_offsets: bool) -> Any:
    """Tokens of ``s`` from character spans ``(start, end, kept)``."""
    b = _byte_offsets(s) if with_offsets else None
    tokens, starts, limits = [], [], []
    for start, end, _kept in spans:
        tokens.append(s[start:end])
        if b is not None:
            starts.append(b[start])
            limits.append(b[end])
    return _tokens_out(tokens, starts, limits, with_offsets)


class _Tokenizer(_Transform):
    op = ""

    def __init__(self, with_offsets: bool = False) -> None:
        self.with_offsets = _check_bool(type(self).__name__, "with_offsets", with_offsets)

    def __call__(self, *columns: Any) -> Any:
        s = _one_string(type(self).__name__, columns)
        return _split_spans(s, self._spans(s), self.with_offsets)

    def _spans(self, s: str) -> list[tuple[int, int, bool]]:
        raise NotImplementedError


class UnicodeCharTokenizer(_Tokenizer):
    """Split one string into its Unicode characters (code points).

    :param with_offsets: also return each token's UTF-8 byte offsets, ``(tokens,
        offsets_start, offsets_limit)``.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.UnicodeCharTokenizer()(np.array("Mind 好"))
        array(['M', 'i', 'n', 'd', ' ', '好'], dtype='<U1')
        >>> tokens, start, limit = text.UnicodeCharTokenizer(with_offsets=True)(np.array("a好b"))
        >>> start.tolist(), limit.tolist()
        ([0, 1, 4], [1, 4, 5])
    """

    def _spans(self, s: str) -> list[tuple[int, int, bool]]:
        return [(i, i + 1, True) for i in range(len(s))]


# Unicode's White_Space property (what ICU's u_isUWhiteSpace tests, and MindSpore splits on).
_WHITESPACE = re.compile(
    "[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)


class WhitespaceTokenizer(_Tokenizer):
    """Split one string on runs of Unicode whitespace (the White_Space property: space, tab,
    newlines, no-break and ideographic spaces…), which are dropped.

    :param with_offsets: also return each token's UTF-8 byte offsets, ``(tokens,
        offsets_start, offsets_limit)``.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.WhitespaceTokenizer()(np.array("Welcome to\\tMind\\n"))
        array(['Welcome', 'to', 'Mind'], dtype='<U7')
    """

    def _spans(self, s: str) -> list[tuple[int, int, bool]]:
        return _regex_spans(s, _WHITESPACE, None)


def _regex_spans(s: str, delim: re.Pattern, keep: re.Pattern | None) -> list[tuple[int, int, bool]]:
    """The pieces of ``s`` between matches of ``delim`` (empty pieces dropped), with each
    non-empty delimiter that ``keep`` matches whole kept as a token of its own."""
    spans, begin = [], 0
    for m in delim.finditer(s):
        if m.start() > begin:
            spans.append((begin, m.start(), True))
        if m.end() > m.start() and keep is not None and keep.fullmatch(m.group()):
            spans.append((m.start(), m.end(), True))
        begin = m.end()
    if begin < len(s):
        spans.append((begin, len(s), True))
    return spans


class RegexTokenizer(_Tokenizer):
    """Split one string at the matches of the regular expression ``delim_pattern``.

    Empty pieces (between two adjacent delimiters, or before a delimiter at the start) are
    dropped. A delimiter that ``keep_delim_pattern`` matches as a whole is kept as a token.
    Patterns are Python :mod:`re` expressions (see the module's note on ICU).

    :param delim_pattern: the delimiters' pattern.
    :param keep_delim_pattern: the pattern of the delimiters to keep; ``""`` keeps none.
    :param with_offsets: also return each token's UTF-8 byte offsets, ``(tokens,
        offsets_start, offsets_limit)``.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.RegexTokenizer(r"\\s+|,", keep_delim_pattern=",")(np.array("a b,c"))
        array(['a', 'b', ',', 'c'], dtype='<U1')
    """

    def __init__(
        self, delim_pattern: str, keep_delim_pattern: str = "", with_offsets: bool = False
    ) -> None:
        super().__init__(with_offsets)
        self._delim = _check_regex("RegexTokenizer", "delim_pattern", delim_pattern)
        self._keep = _check_regex("RegexTokenizer", "keep_delim_pattern", keep_delim_pattern)
        self.delim_pattern = delim_pattern
        self.keep_delim_pattern = keep_delim_pattern

    def _spans(self, s: str) -> list[tuple[int, int, bool]]:
        return _regex_spans(s, self._delim, self._keep if self.keep_delim_pattern else None)


class PythonTokenizer(_Transform):
    """Tokenize one string with a Python callable that takes a ``str`` and returns a list of
    ``str``; the result is a 1-D string array.

    :param tokenizer: the callable.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.PythonTokenizer(str.split)(np.array("Hello   world"))
        array(['Hello', 'world'], dtype='<U5')
    """

    def __init__(self, tokenizer: Callable[[str], list[str]]) -> None:
        if not callable(tokenizer):
            raise MindTypeError(
                f"For 'PythonTokenizer', 'tokenizer' must be callable, got "
                f"{type(tokenizer).__name__} {tokenizer!r}" + _DOCS
            )
        self.tokenizer = tokenizer

    def __call__(self, *columns: Any) -> np.ndarray:
        s = _one_string("PythonTokenizer", columns)
        tokens = self.tokenizer(s)
        if isinstance(tokens, np.ndarray) and tokens.dtype.kind in "US":
            tokens = _strings("PythonTokenizer", tokens).ravel().tolist()
        if not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) for t in tokens):
            raise MindTypeError(
                f"For 'PythonTokenizer', the tokenizer must return a list of str, got "
                f"{type(tokens).__name__} {tokens!r}" + _DOCS
            )
        return _string_array(tokens)


class Ngram(_Transform):
    """The n-grams of a 1-D string array, joined with ``separator``.

    For each ``n`` in turn, the sequence is padded with ``min(width, n - 1)`` copies of each pad
    token and every run of ``n`` consecutive tokens becomes one string; a padded sequence shorter
    than ``n`` gives one empty string for that ``n``.

    :param n: an int > 0, or a list of them (the n-grams of each, in order).
    :param left_pad: ``(pad_token, pad_width)`` put before the sequence.
    :param right_pad: ``(pad_token, pad_width)`` put after it.
    :param separator: the string between the tokens of an n-gram.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.Ngram(2, separator="-")(np.array(["mind", "is", "amazing"]))
        array(['mind-is', 'is-amazing'], dtype='<U10')
        >>> text.Ngram([1, 3], left_pad=("_", 2))(np.array(["a", "b"])).tolist()
        ['a', 'b', '_ _ a', '_ a b']
    """

    def __init__(
        self,
        n: int | list[int],
        left_pad: tuple[str, int] = ("", 0),
        right_pad: tuple[str, int] = ("", 0),
        separator: str = " ",
    ) -> None:
        ns = [n] if _is_int(n) else n
        if not isinstance(ns, (list, tuple)) or not ns or not all(_is_int(k) for k in ns):
            raise MindTypeError(
                f"For 'Ngram', 'n' must be an int or a non-empty list of int, got {n!r}" + _DOCS
            )
        if any(k <= 0 for k in ns):
            raise MindValueError(f"For 'Ngram', every n must be > 0, got {n!r}" + _DOCS)
        self.n = [int(k) for k in ns]
        self.left_pad = self._check_pad("left_pad", left_pad)
        self.right_pad = self._check_pad("right_pad", right_pad)
        self.separator = _check_str("Ngram", "separator", separator)

    @staticmethod
    def _check_pad(name: str, pad: Any) -> tuple[str, int]:
        if (
            not isinstance(pad, (list, tuple))
            or len(pad) != 2
            or not isinstance(pad[0], str)
            or not _is_int(pad[1])
            or pad[1] < 0
        ):
            raise MindValueError(
                f"For 'Ngram', '{name}' must be a tuple (pad_token: str, pad_width: int >= 0), "
                f"got {pad!r}" + _DOCS
            )
        return (pad[0], int(pad[1]))

    def __call__(self, *columns: Any) -> np.ndarray:
        array = _strings("Ngram", _one_column("Ngram", columns))
        if array.ndim != 1:
            raise MindValueError(
                f"For 'Ngram', the input must be a 1-D string array, got shape {array.shape}"
                + _DOCS
            )
        tokens = array.tolist()
        (ltok, lwidth), (rtok, rwidth) = self.left_pad, self.right_pad
        out: list[str] = []
        for n in self.n:
            seq = [ltok] * min(lwidth, n - 1) + tokens + [rtok] * min(rwidth, n - 1)
            if len(seq) < n:
                out.append("")
                continue
            out.extend(self.separator.join(seq[i : i + n]) for i in range(len(seq) - n + 1))
        return _string_array(out)


# ------------------------------------------------------------------------------------------------
# String transforms
# ------------------------------------------------------------------------------------------------


class CaseFold(_Transform):
    """Case-fold every string of an array (any shape), more aggressively than lower-casing:
    Unicode's NFKC_Casefold, as MindSpore (ICU) applies it, here ``NFKC(casefold(NFKC(s)))``
    (:func:`unicodedata.normalize` and :meth:`str.casefold`). Unlike ICU's, it keeps default-
    ignorable characters (soft hyphens, zero-width joiners…).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.CaseFold()(np.array(["Welcome TO Mind", "Straße"])).tolist()
        ['welcome to mind', 'strasse']
    """

    def __call__(self, *columns: Any) -> np.ndarray:
        nfkc = unicodedata.normalize
        return _elementwise("CaseFold", columns, lambda s: nfkc("NFKC", nfkc("NFKC", s).casefold()))


class NormalizeForm(IntEnum):
    """Unicode normalization forms for :class:`NormalizeUTF8`, as
    ``mindspore.dataset.text.NormalizeForm``; ``NONE`` leaves strings unchanged."""

    NONE = 0
    NFC = 1
    NFKC = 2
    NFD = 3
    NFKD = 4


class NormalizeUTF8(_Transform):
    """Unicode-normalize every string of an array (any shape) with
    :func:`unicodedata.normalize`.

    :param normalize_form: a :class:`NormalizeForm` (default ``NormalizeForm.NFKC``).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.NormalizeUTF8()(np.array("ｆｕｌｌ①")).tolist()
        'full1'
    """

    def __init__(self, normalize_form: NormalizeForm = NormalizeForm.NFKC) -> None:
        if not isinstance(normalize_form, NormalizeForm):
            raise MindTypeError(
                "For 'NormalizeUTF8', 'normalize_form' must be a text.NormalizeForm (NONE, NFC, "
                f"NFKC, NFD, NFKD), got {normalize_form!r}" + _DOCS
            )
        self.normalize_form = normalize_form

    def __call__(self, *columns: Any) -> np.ndarray:
        form = self.normalize_form
        if form is NormalizeForm.NONE:
            return _elementwise("NormalizeUTF8", columns, lambda s: s)
        return _elementwise("NormalizeUTF8", columns, lambda s: unicodedata.normalize(form.name, s))


def _icu_replacement(op: str, replace: str) -> Callable[[re.Match], str]:
    """A replacement function from an ICU replacement string: ``$n`` (or ``${n}``, ``${name}``)
    is that group's text, a backslash makes the next character literal."""
    parts: list[str | int] = []  # literal text, or a group number or name
    literal, i = [], 0
    while i < len(replace):
        c = replace[i]
        if c == "\\" and i + 1 < len(replace):
            literal.append(replace[i + 1])
            i += 2
            continue
        if c == "$":
            m = re.compile(r"(\d+)|\{(\w+)\}").match(replace, i + 1)
            if m is None:
                raise MindValueError(
                    f"For '{op}', 'replace' {replace!r} has a '$' at {i} that names no group; "
                    "write '\\$' for a dollar sign" + _DOCS
                )
            parts.append("".join(literal))
            literal = []
            name = m.group(1) or m.group(2)
            parts.append(int(name) if name.isdigit() else name)  # type: ignore[arg-type]
            i = m.end()
            continue
        literal.append(c)
        i += 1
    parts.append("".join(literal))

    def expand(match: re.Match) -> str:
        return "".join(
            p if isinstance(p, str) and k % 2 == 0 else (match.group(p) or "")
            for k, p in enumerate(parts)
        )

    return expand


class RegexReplace(_Transform):
    """Replace the matches of ``pattern`` in every string of an array (any shape) with
    ``replace``.

    The pattern is a Python :mod:`re` expression (see the module's note on ICU); ``replace``
    follows ICU: ``$1`` is the text of group 1, ``\\$`` a literal dollar sign.

    :param pattern: the regular expression.
    :param replace: the replacement.
    :param replace_all: replace every match (True) or only the first (False).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import text
        >>> text.RegexReplace(r"\\s+", " ")(np.array("a  b\\t c")).tolist()
        'a b c'
        >>> text.RegexReplace(r"(\\w+)@(\\w+)", "$2 at $1", replace_all=False)(
        ...     np.array("me@home you@work")).tolist()
        'home at me you@work'
    """

    def __init__(self, pattern: str, replace: str, replace_all: bool = True) -> None:
        self._regex = _check_regex("RegexReplace", "pattern", pattern)
        self._expand = _icu_replacement(
            "RegexReplace", _check_str("RegexReplace", "replace", replace)
        )
        self.pattern = pattern
        self.replace = replace
        self.replace_all = _check_bool("RegexReplace", "replace_all", replace_all)

    def __call__(self, *columns: Any) -> np.ndarray:
        count = 0 if self.replace_all else 1
        return _elementwise(
            "RegexReplace", columns, lambda s: self._regex.sub(self._expand, s, count=count)
        )
