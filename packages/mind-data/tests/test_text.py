"""mind.data.text: vocabularies, tokenizers and string transforms, against MindSpore's documented
values and independent Python references (str.split, re.split, unicodedata)."""

import re
import unicodedata

import numpy as np
import pytest

import mind.core as ms
import mind.data as ds
from mind.core.errors import MindTypeError, MindValueError
from mind.data import text, transforms
from mind.data.errors import MindDataError

SENTENCES = [
    "Welcome to Beijing",
    "  北京欢迎您\uff01 ",
    "tabs\tand\nnewlines\u3000and\u00a0no-break",
    "",
    "a",
]


def _byte_offsets_reference(s, tokens):
    """Each token's UTF-8 byte span, found left to right in ``s`` (an independent reference)."""
    data, pos, starts, limits = s.encode(), 0, [], []
    for t in tokens:
        at = data.index(t.encode(), pos)
        starts.append(at)
        limits.append(at + len(t.encode()))
        pos = limits[-1]
    return starts, limits


# ------------------------------------------------------------------------------------------------
# Vocab
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "special_first, expected", [(True, [2, 3, 4, 0, 1]), (False, [0, 1, 2, 3, 4])]
)
def test_from_list_special_token_placement(special_first, expected):
    # MindSpore's own test values: "w1 w2 w3 s1 s2" looked up in from_list(w1..w3, [s1, s2]).
    vocab = text.Vocab.from_list(["w1", "w2", "w3"], ["s1", "s2"], special_first)
    ids = text.Lookup(vocab)(np.array("w1 w2 w3 s1 s2".split()))
    assert ids.tolist() == expected
    assert ids.dtype == np.int32


def test_from_list_without_specials_keeps_list_order():
    vocab = text.Vocab.from_list(["w3", "w2", "w1"])
    assert vocab.vocab() == {"w3": 0, "w2": 1, "w1": 2}
    assert len(vocab) == 3


def test_unknown_token_gets_its_id():
    # MindSpore's test: from_list(w1..w3, ["<pad>", "<unk>"], special_first=False), "<unk>".
    vocab = text.Vocab.from_list(["w1", "w2", "w3"], ["<pad>", "<unk>"], False)
    lookup = text.Lookup(vocab, "<unk>")
    assert lookup(np.array(["w1", "un1", "w3", "un2"])).tolist() == [0, 4, 2, 4]


def test_lookup_documented_example_and_dtype():
    vocab = text.Vocab.from_list(["?", "##", "with", "the", "test", "符号"])
    assert int(text.Lookup(vocab)(np.array("with"))) == 2
    assert int(text.Lookup(vocab, unknown_token="test")("with")) == 2
    out = text.Lookup(vocab, data_type=ms.int64)(np.array([["符号", "the"]]))
    assert out.dtype == np.int64 and out.shape == (1, 2) and out.tolist() == [[5, 3]]
    # UTF-8 bytes (a dtype 'S' column) look up as the strings they encode
    assert text.Lookup(vocab)(np.array(["符号".encode()])).tolist() == [5]


def test_lookup_unknown_errors():
    vocab = text.Vocab.from_list(["w1"])
    with pytest.raises(MindValueError, match="'un1' doesn't exist in vocab and no unknown token"):
        text.Lookup(vocab)(np.array(["w1", "un1"]))
    with pytest.raises(MindValueError, match="unknown_token 'unk' doesn't exist in vocab"):
        text.Lookup(vocab, "unk")(np.array(["un1"]))
    assert text.Lookup(vocab, "unk")(np.array(["w1"])).tolist() == [0]  # only OOV words need it
    with pytest.raises(MindTypeError, match="For 'Lookup', 'vocab' must be a text.Vocab"):
        text.Lookup({"w1": 0})
    with pytest.raises(MindTypeError, match="For 'Lookup', 'unknown_token' must be a str"):
        text.Lookup(vocab, 123)
    with pytest.raises(MindTypeError, match="For 'Lookup', 'data_type' must be a numeric"):
        text.Lookup(vocab, data_type=np.str_)
    with pytest.raises(MindTypeError, match="For 'Lookup', the input must be a string"):
        text.Lookup(vocab)(np.array([1, 2]))


def test_from_list_duplicate_errors():
    with pytest.raises(MindValueError, match="'word_list' contains duplicate word"):
        text.Vocab.from_list(["w1", "w1"])
    with pytest.raises(MindValueError, match="'special_tokens' contains duplicate word"):
        text.Vocab.from_list(["w1", "w2"], ["s1", "s1"])
    with pytest.raises(MindValueError, match="special_tokens and word_list contain duplicate"):
        text.Vocab.from_list(["w1", "w2"], ["s1", "w1"])
    with pytest.raises(MindTypeError, match="'word_list' must be a list of str"):
        text.Vocab.from_list(["w1", 2])
    with pytest.raises(MindTypeError, match="'special_first' must be a bool"):
        text.Vocab.from_list(["w1"], special_first=1)


def test_tokens_to_ids_and_back():
    vocab = text.Vocab.from_list(["home", "is", "behind"], ["<pad>", "<unk>"])
    assert vocab.tokens_to_ids("home") == 2
    assert vocab.tokens_to_ids(["behind", "nowhere"]) == [4, -1]
    assert vocab.tokens_to_ids(np.array(["is"])) == [3]
    assert vocab.ids_to_tokens(0) == "<pad>"
    assert vocab.ids_to_tokens([4, 2, 99]) == ["behind", "home", ""]
    assert vocab.ids_to_tokens(np.array([1])) == ["<unk>"]
    ids = vocab.tokens_to_ids(list(vocab.vocab()))
    assert vocab.ids_to_tokens(ids) == list(vocab.vocab())


def test_from_dict():
    vocab = text.Vocab.from_dict({"home": 3, "behind": 2, "the": 4, "world": 5, "<unk>": 6})
    assert vocab.vocab() == {"home": 3, "behind": 2, "the": 4, "world": 5, "<unk>": 6}
    assert text.Lookup(vocab, "<unk>")(np.array(["the", "moon"])).tolist() == [4, 6]
    assert vocab.ids_to_tokens([2, 0]) == ["behind", ""]
    with pytest.raises(MindValueError, match="the id of 'a' must be >= 0, got -1"):
        text.Vocab.from_dict({"a": -1})
    with pytest.raises(MindTypeError, match="the id of 'a' must be an int"):
        text.Vocab.from_dict({"a": 1.0})
    with pytest.raises(MindTypeError, match="'word_dict' must be a dict"):
        text.Vocab.from_dict([("a", 1)])


def test_from_file(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("home,1\nIS,2\nbehind\nthe,4\nworld\n", encoding="utf-8")
    vocab = text.Vocab.from_file(str(path), ",", None, ["<pad>", "<unk>"], True)
    assert vocab.vocab() == {
        "<pad>": 0, "<unk>": 1, "home": 2, "IS": 3, "behind": 4, "the": 5, "world": 6
    }  # fmt: skip
    tail = text.Vocab.from_file(path, delimiter=",", vocab_size=2, special_tokens=["<unk>"],
                                special_first=False)  # fmt: skip
    assert tail.vocab() == {"home": 0, "IS": 1, "<unk>": 2}
    # No delimiter: the whole line is the word.
    assert list(text.Vocab.from_file(path).vocab()) == path.read_text().splitlines()
    # A delimiter of several characters ends the word at the first of any of them.
    assert text.Vocab.from_file(path, delimiter=",h").tokens_to_ids("be") == 2


def test_from_file_errors(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("a\nb\na\n")
    with pytest.raises(MindValueError, match=r"line 3 of .* repeats the word 'a'"):
        text.Vocab.from_file(path)
    with pytest.raises(MindValueError, match="special_tokens and word_list contain duplicate"):
        text.Vocab.from_file(path, vocab_size=2, special_tokens=["b"])
    with pytest.raises(MindValueError, match="'vocab_size' must be an int > 0"):
        text.Vocab.from_file(path, vocab_size=0)
    with pytest.raises(MindValueError, match="For 'Vocab.from_file', cannot read"):
        text.Vocab.from_file(tmp_path / "missing.txt")


def _corpus_dataset():
    # MindSpore's build_vocab example: letters with counts, so the order is visible.
    corpus = {"Z": 4, "Y": 4, "X": 4, "W": 3, "U": 3, "V": 2, "T": 1}

    def gen():
        for k, v in corpus.items():
            yield (np.array([k] * v),)

    return ds.GeneratorDataset(gen, ["column1"], shuffle=False), corpus


def test_from_dataset_orders_by_frequency_then_lexicographically():
    data, corpus = _corpus_dataset()
    vocab = text.Vocab.from_dataset(data, "column1", freq_range=(1, 10), top_k=5,
                                    special_tokens=["<pad>", "<unk>"], special_first=True)  # fmt: skip
    # Independent reference: sort (-count, word), cut to top_k, specials in front.
    ranked = sorted(corpus, key=lambda w: (-corpus[w], w))[:5]
    assert list(vocab.vocab()) == ["<pad>", "<unk>", *ranked]
    assert list(vocab.vocab()) == ["<pad>", "<unk>", "X", "Y", "Z", "U", "W"]
    assert list(vocab.vocab().values()) == list(range(7))


def test_from_dataset_freq_range_and_columns():
    data, corpus = _corpus_dataset()
    mid = text.Vocab.from_dataset(data, freq_range=(2, 3), special_tokens=["<unk>"],
                                  special_first=False)  # fmt: skip
    assert mid.vocab() == {"U": 0, "W": 1, "V": 2, "<unk>": 3}
    low = text.Vocab.from_dataset(data, ["column1"], freq_range=(None, 1))
    assert low.vocab() == {"T": 0}
    assert len(text.Vocab.from_dataset(data)) == len(corpus)


def test_from_dataset_errors():
    data, _ = _corpus_dataset()
    with pytest.raises(MindValueError, match=r"columns \['nope'\] are not in"):
        text.Vocab.from_dataset(data, "nope")
    with pytest.raises(MindValueError, match="'freq_range' must be a tuple"):
        text.Vocab.from_dataset(data, freq_range=(3, 1))
    with pytest.raises(MindValueError, match="'top_k' must be an int > 0"):
        text.Vocab.from_dataset(data, top_k=0)
    with pytest.raises(MindValueError, match="special_tokens and the dataset's words"):
        text.Vocab.from_dataset(data, special_tokens=["Z"])
    numbers = ds.NumpySlicesDataset({"x": np.arange(3)}, shuffle=False)
    with pytest.raises(MindTypeError, match="column 'x' must hold strings"):
        text.Vocab.from_dataset(numbers)
    with pytest.raises(MindTypeError, match="'dataset' must be a mind.data dataset"):
        text.Vocab.from_dataset([["a"]])


# ------------------------------------------------------------------------------------------------
# Tokenizers
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("s", SENTENCES)
def test_whitespace_tokenizer_matches_str_split(s):
    tokens, start, limit = text.WhitespaceTokenizer(with_offsets=True)(np.array(s))
    assert tokens.tolist() == (s.split() or [""])
    if s.split():
        assert (start.tolist(), limit.tolist()) == _byte_offsets_reference(s, s.split())
    else:
        assert (start.tolist(), limit.tolist()) == ([0], [0])
    assert start.dtype == limit.dtype == np.uint32
    assert text.WhitespaceTokenizer()(s).tolist() == tokens.tolist()


def test_whitespace_tokenizer_documented_example():
    out = text.WhitespaceTokenizer()(np.array("Welcome     To   BeiJing!"))
    assert out.tolist() == ["Welcome", "To", "BeiJing!"]


@pytest.mark.parametrize("s", SENTENCES)
def test_unicode_char_tokenizer_matches_list(s):
    tokens, start, limit = text.UnicodeCharTokenizer(True)(np.array(s))
    assert tokens.tolist() == (list(s) or [""])
    if s:
        widths = [len(c.encode()) for c in s]
        assert start.tolist() == np.cumsum([0, *widths[:-1]]).tolist()
        assert limit.tolist() == np.cumsum(widths).tolist()
    else:
        assert (start.tolist(), limit.tolist()) == ([0], [0])


def test_unicode_char_tokenizer_on_bytes():
    assert text.UnicodeCharTokenizer()(np.array("好a".encode())).tolist() == ["好", "a"]


@pytest.mark.parametrize(
    "s, delim",
    [
        ("Welcome to Beijing", r"\s+"),
        ("a,b,,c, d", r",\s*"),
        ("北京,欢迎 您", r"[, ]"),
        ("x1y22z333", r"\d+"),
        (",lead and trail,", ","),
    ],
)
def test_regex_tokenizer_matches_re_split(s, delim):
    expected = [t for t in re.split(delim, s) if t]
    tokens, start, limit = text.RegexTokenizer(delim, with_offsets=True)(np.array(s))
    assert tokens.tolist() == (expected or [""])
    assert (start.tolist(), limit.tolist()) == _byte_offsets_reference(s, expected)


def test_regex_tokenizer_keeps_delimiters():
    s = "Welcome  to,北京"
    op = text.RegexTokenizer(r"\s+|,", keep_delim_pattern=r"\s+", with_offsets=True)
    tokens, start, limit = op(np.array(s))
    # re.split with a capturing group keeps every delimiter; drop the ',' ones and the empties
    expected = [t for t in re.split(r"(\s+|,)", s) if t and t != ","]
    assert tokens.tolist() == expected == ["Welcome", "  ", "to", "北京"]
    assert (start.tolist(), limit.tolist()) == ([0, 7, 9, 12], [7, 9, 11, 18])


def test_python_tokenizer():
    op = text.PythonTokenizer(lambda s: s.split("-"))
    assert op(np.array("a-b-c")).tolist() == ["a", "b", "c"]
    assert op(np.array("好-a".encode())).tolist() == ["好", "a"]
    assert text.PythonTokenizer(lambda s: [])(np.array("x")).shape == (0,)
    with pytest.raises(MindTypeError, match="the tokenizer must return a list of str"):
        text.PythonTokenizer(len)(np.array("abc"))
    with pytest.raises(MindTypeError, match="For 'PythonTokenizer', 'tokenizer' must be callable"):
        text.PythonTokenizer("split")


def test_tokenizer_errors():
    with pytest.raises(MindValueError, match=r"For 'WhitespaceTokenizer', .* got shape \(2,\)"):
        text.WhitespaceTokenizer()(np.array(["a b", "c"]))
    with pytest.raises(MindTypeError, match="For 'UnicodeCharTokenizer', the input must be a str"):
        text.UnicodeCharTokenizer()(np.array(3))
    with pytest.raises(MindTypeError, match="For 'WhitespaceTokenizer', 'with_offsets' must be"):
        text.WhitespaceTokenizer(with_offsets="yes")
    with pytest.raises(MindValueError, match="'delim_pattern' '\\(' is not a valid regular"):
        text.RegexTokenizer("(")
    with pytest.raises(MindTypeError, match="For 'RegexTokenizer', 'keep_delim_pattern' must"):
        text.RegexTokenizer(r"\s", keep_delim_pattern=None)
    with pytest.raises(MindValueError, match="is not valid UTF-8"):
        text.WhitespaceTokenizer()(np.array(b"\xff\xfe"))


# ------------------------------------------------------------------------------------------------
# Sequences and numbers
# ------------------------------------------------------------------------------------------------


def _ngram_reference(tokens, n, lpad, rpad, sep):
    """n-grams by the textbook definition, padding with at most n - 1 tokens each side."""
    seq = [lpad[0]] * min(lpad[1], n - 1) + tokens + [rpad[0]] * min(rpad[1], n - 1)
    grams = [sep.join(seq[i : i + n]) for i in range(len(seq) - n + 1)]
    return grams or [""]


def test_ngram_documented_values():
    words = np.array(["mindspore", "amazing"])
    assert text.Ngram(2, separator="-")(words).tolist() == ["mindspore-amazing"]
    assert text.Ngram(3)(np.array(["mindspore", "best"])).tolist() == [""]
    assert text.Ngram([4, 3])(np.array(list("abcd"))).tolist() == ["a b c d", "a b c", "b c d"]
    padded = text.Ngram(3, left_pad=("_", 2), right_pad=("_", 2), separator="")(np.array(["x"]))
    assert padded.tolist() == ["__x", "_x_", "x__"]


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("lpad, rpad", [(("", 0), ("", 0)), (("<s>", 1), ("</s>", 9))])
def test_ngram_matches_reference(n, lpad, rpad):
    tokens = "the quick brown fox".split()
    out = text.Ngram([n], lpad, rpad, " ")(np.array(tokens))
    assert out.tolist() == _ngram_reference(tokens, n, lpad, rpad, " ")


def test_ngram_errors():
    with pytest.raises(MindValueError, match="For 'Ngram', every n must be > 0"):
        text.Ngram([2, 0])
    with pytest.raises(MindTypeError, match="For 'Ngram', 'n' must be an int"):
        text.Ngram("2")
    with pytest.raises(MindValueError, match="'left_pad' must be a tuple"):
        text.Ngram(2, left_pad=("_", -1))
    with pytest.raises(MindTypeError, match="'separator' must be a str"):
        text.Ngram(2, separator=1)
    with pytest.raises(MindValueError, match="the input must be a 1-D string array"):
        text.Ngram(2)(np.array("a b"))


def test_sliding_window():
    out = text.SlidingWindow(3, 0)(np.array([1, 2, 3, 4, 5]))
    assert out.tolist() == [[1, 2, 3], [2, 3, 4], [3, 4, 5]]
    words = np.array(["大", "家", "早", "上", "好"])
    expected = [words[i : i + 2].tolist() for i in range(len(words) - 1)]
    assert text.SlidingWindow(2)(words).tolist() == expected
    assert text.SlidingWindow(6)(np.arange(5)).shape == (0, 6)
    with pytest.raises(MindValueError, match="For 'SlidingWindow', 'width' must be > 0"):
        text.SlidingWindow(0)
    with pytest.raises(MindTypeError, match="For 'SlidingWindow', 'width' must be an int"):
        text.SlidingWindow(2.0)
    with pytest.raises(MindValueError, match=r"the input must be 1-D, got shape \(2, 2\)"):
        text.SlidingWindow(2)(np.zeros((2, 2)))


def _truncate_reference(a, b, max_length):
    a, b = list(a), list(b)
    while len(a) + len(b) > max_length:
        (a if len(a) > len(b) else b).pop()
    return a, b


@pytest.mark.parametrize("n1, n2", [(3, 2), (2, 3), (4, 4), (0, 5), (7, 1), (1, 1)])
@pytest.mark.parametrize("max_length", [0, 1, 3, 4, 8, 20])
def test_truncate_sequence_pair_matches_reference(n1, n2, max_length):
    a, b = np.arange(n1), np.arange(100, 100 + n2)
    out_a, out_b = text.TruncateSequencePair(max_length)(a, b)
    ref_a, ref_b = _truncate_reference(a, b, max_length)
    assert (out_a.tolist(), out_b.tolist()) == (ref_a, ref_b)


def test_truncate_sequence_pair_documented_and_errors():
    a, b = text.TruncateSequencePair(4)(np.array([1, 2, 3]), np.array([4, 5]))
    assert (a.tolist(), b.tolist()) == ([1, 2], [4, 5])
    s1, s2 = text.TruncateSequencePair(3)(np.array(["a", "b", "c"]), np.array(["d", "e"]))
    assert (s1.tolist(), s2.tolist()) == (["a", "b"], ["d"])
    with pytest.raises(MindTypeError, match="For 'TruncateSequencePair', expected 2 input"):
        text.TruncateSequencePair(3)(np.array([1]))
    with pytest.raises(MindValueError, match="both sequences must be 1-D"):
        text.TruncateSequencePair(3)(np.array([[1]]), np.array([2]))
    with pytest.raises(MindTypeError, match="'max_length' must be an int"):
        text.TruncateSequencePair("3")


def test_to_number():
    assert text.ToNumber(ms.int32)(np.array(["1", "-2", " 3 "])).tolist() == [1, -2, 3]
    out = text.ToNumber(np.float32)(np.array([["1.5", "-2e3"], ["inf", ".25"]]))
    assert out.dtype == np.float32 and out.tolist() == [[1.5, -2000.0], [np.inf, 0.25]]
    assert text.ToNumber(ms.uint8)(np.array("255")).dtype == np.uint8
    with pytest.raises(MindValueError, match=r"'256' cannot be converted to uint8: out of range"):
        text.ToNumber(ms.uint8)(np.array("256"))
    with pytest.raises(MindValueError, match="'-1' cannot be converted to uint32: it is negative"):
        text.ToNumber(np.uint32)(np.array(["-1"]))
    with pytest.raises(MindValueError, match="'1.5' cannot be converted to int32: it is not an"):
        text.ToNumber(ms.int32)(np.array(["1.5"]))
    with pytest.raises(MindValueError, match="'12abc' cannot be converted to float32"):
        text.ToNumber(ms.float32)(np.array(["12abc"]))
    with pytest.raises(MindValueError, match="'1e40' cannot be converted to float32: out of range"):
        text.ToNumber(ms.float32)(np.array(["1e40"]))
    with pytest.raises(MindTypeError, match="For 'ToNumber', 'data_type' must be a numeric"):
        text.ToNumber(ms.bool_)


# ------------------------------------------------------------------------------------------------
# String transforms
# ------------------------------------------------------------------------------------------------

FOLD = ["Welcome to BEIJING!", "Straße", "ǅungla", "ﬁne Ⅻ", "ΣΊΣΥΦΟΣ", ""]


def test_case_fold():
    out = text.CaseFold()(np.array(FOLD))
    nfkc = unicodedata.normalize
    assert out.tolist() == [nfkc("NFKC", nfkc("NFKC", s).casefold()) for s in FOLD]
    assert out.tolist()[:4] == ["welcome to beijing!", "strasse", "džungla", "fine xii"]
    assert text.CaseFold()("ABC").tolist() == "abc"  # a 0-d array in, a 0-d array out


@pytest.mark.parametrize("form", list(text.NormalizeForm))
def test_normalize_utf8_matches_unicodedata(form):
    strings = np.array([["ﬁ", "é", "e\u0301"], ["①", "Å", "한국어"]])
    out = text.NormalizeUTF8(form)(strings)
    expected = [
        [s if form is text.NormalizeForm.NONE else unicodedata.normalize(form.name, s) for s in row]
        for row in strings.tolist()
    ]
    assert out.shape == strings.shape and out.tolist() == expected


def test_normalize_utf8_default_is_nfkc_and_errors():
    assert text.NormalizeUTF8()(np.array("ﬁ①")).tolist() == "fi1"
    with pytest.raises(MindTypeError, match="'normalize_form' must be a text.NormalizeForm"):
        text.NormalizeUTF8("NFC")


def test_regex_replace():
    s = np.array(["apple orange apple orange", "one"])
    assert text.RegexReplace("apple", "orange")(s).tolist() == [
        "orange orange orange orange",
        "one",
    ]
    assert text.RegexReplace("apple", "x", replace_all=False)(s).tolist()[0] == (
        re.sub("apple", "x", s[0], count=1)
    )
    swapped = text.RegexReplace(r"(\w+) (\w+)", "$2 $1")(np.array("ab cd ef gh"))
    assert swapped.tolist() == re.sub(r"(\w+) (\w+)", r"\2 \1", "ab cd ef gh") == "cd ab gh ef"
    assert text.RegexReplace(r"\d", r"\$")(np.array("a1b2")).tolist() == "a$b$"
    assert text.RegexReplace(r"(?P<w>b)", "[${w}]")(np.array("abc")).tolist() == "a[b]c"
    with pytest.raises(MindValueError, match="has a '\\$' at 0 that names no group"):
        text.RegexReplace("a", "$x")
    with pytest.raises(MindTypeError, match="For 'RegexReplace', 'replace_all' must be a bool"):
        text.RegexReplace("a", "b", replace_all=None)


# ------------------------------------------------------------------------------------------------
# PadEnd
# ------------------------------------------------------------------------------------------------


def test_pad_end():
    assert transforms.PadEnd([4], pad_value=10)(np.array([1, 2, 3])).tolist() == [1, 2, 3, 10]
    assert transforms.PadEnd([2])(np.array([1, 2, 3])).tolist() == [1, 2]  # shorter: truncates
    out = transforms.PadEnd([3, None])(np.array([[1.5, 2.5]], np.float32))
    assert out.dtype == np.float32 and out.tolist() == [[1.5, 2.5], [0, 0], [0, 0]]
    words = transforms.PadEnd([3])(np.array(["a", "b"]))
    assert words.tolist() == ["a", "b", ""]
    long = transforms.PadEnd([3], pad_value="<pad>")(np.array(["a"]))
    assert long.tolist() == ["a", "<pad>", "<pad>"]
    with pytest.raises(MindValueError, match=r"pad_shape \[3\] has 1 axes but the input"):
        transforms.PadEnd([3])(np.zeros((2, 2)))
    with pytest.raises(MindValueError, match="For 'PadEnd', every entry of 'pad_shape'"):
        transforms.PadEnd([0])
    with pytest.raises(MindTypeError, match="For 'PadEnd', 'pad_shape' must be a list"):
        transforms.PadEnd((3,))
    with pytest.raises(MindTypeError, match="cannot pad a int64 array with 'x'"):
        transforms.PadEnd([3], pad_value="x")(np.array([1], np.int64))


# ------------------------------------------------------------------------------------------------
# Pipelines
# ------------------------------------------------------------------------------------------------

CORPUS = ["the cat sat", "the dog", "a cat and a dog sat down", "hello"]


def _sentences():
    return ds.GeneratorDataset(lambda: ((np.array(s),) for s in CORPUS), ["text"], shuffle=False)


def test_pipeline_tokenize_lookup_pad_batch():
    tokenized = _sentences().map(text.WhitespaceTokenizer(), "text")
    vocab = text.Vocab.from_dataset(tokenized, "text", special_tokens=["<pad>", "<unk>"])
    words = sorted({w for s in CORPUS for w in s.split()}, key=lambda w: (
        -sum(s.split().count(w) for s in CORPUS), w))  # fmt: skip
    assert list(vocab.vocab()) == ["<pad>", "<unk>", *words]

    data = (
        _sentences()
        .map([text.WhitespaceTokenizer(), text.Lookup(vocab, "<unk>")], "text")
        .batch(2, pad_info={"text": (None, vocab.tokens_to_ids("<pad>"))})
    )
    batches = [b["text"] for b in data.create_dict_iterator(output_numpy=True)]
    table = vocab.vocab()
    for batch, pair in zip(batches, [CORPUS[:2], CORPUS[2:]]):
        width = max(len(s.split()) for s in pair)
        expected = [[table[w] for w in s.split()] + [0] * (width - len(s.split())) for s in pair]
        assert batch.dtype == np.int32 and batch.tolist() == expected
    assert vocab.ids_to_tokens(batches[0][1].tolist()) == ["the", "dog", "<pad>"]


def test_pipeline_offsets_as_three_columns_and_pairs():
    data = _sentences().map(
        text.UnicodeCharTokenizer(with_offsets=True),
        input_columns="text",
        output_columns=["token", "start", "limit"],
    )
    assert data.get_col_names() == ["token", "start", "limit"]
    row = next(data.create_dict_iterator(output_numpy=True))
    assert row["token"].tolist() == list(CORPUS[0])
    assert row["limit"].tolist() == list(range(1, len(CORPUS[0]) + 1))

    pairs = ds.NumpySlicesDataset(
        {"a": np.arange(12).reshape(3, 4), "b": np.arange(6).reshape(3, 2)}, shuffle=False
    ).map(text.TruncateSequencePair(4), input_columns=["a", "b"])
    rows = list(pairs.create_tuple_iterator(output_numpy=True))
    assert [(a.tolist(), b.tolist()) for a, b in rows] == [
        _truncate_reference(a, b, 4)
        for a, b in zip(np.arange(12).reshape(3, 4), np.arange(6).reshape(3, 2))
    ]
    assert (rows[2][0].tolist(), rows[2][1].tolist()) == ([8, 9], [4, 5])


def test_pipeline_error_names_the_op_and_row():
    vocab = text.Vocab.from_list(["the"])
    data = _sentences().map([text.WhitespaceTokenizer(), text.Lookup(vocab)], "text")
    with pytest.raises(MindDataError, match=r"(?s)WhitespaceTokenizer, Lookup.*row 0.*'cat'"):
        list(data.create_tuple_iterator(output_numpy=True))


def test_text_is_exported():
    assert ds.text is text
    assert set(text.__all__) <= set(dir(text))
    assert "PadEnd" in transforms.__all__
