"""Cross-check `qwen tokenize` against Hugging Face tokenizers on a random, Unicode-heavy corpus.

usage: python tokenizer_crosscheck.py QWEN_BINARY TOKENIZER_DIR [--count N] [--seed S] [--exhaustive]
           [--write-golden PATH --golden-count K] [--write-decode-golden PATH]
           [--write-pretokenizer-golden PATH]

Prints the first mismatches; exits non-zero if there is one. --exhaustive also checks every
non-ASCII code point in several contexts, every string of up to 5 symbols over an alphabet of
tricky ones, and stacks of combining marks for NFC (about 2.7 M texts, a few minutes).
--write-golden saves K short cases ({cases: [{text, ids, decoded}]}) for the Swift tests;
--write-decode-golden saves random id sequences (split multi-byte characters, stray bytes, special
tokens) with HF's decoded text; --write-pretokenizer-golden saves HF's Split pieces of chosen texts.
"""
import argparse, itertools, json, random, subprocess, sys, unicodedata
from tokenizers import Tokenizer

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>",
            "<|im_star", "<|", "|>", "<", "<|im_end|>\u0338", "<|endoftext|>\u0301"]
WHITESPACE = [" ", "  ", "\t", "\n", "\r", "\r\n", "\n\n", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680",
              "\u2000", "\u2003", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u001c", "\u001f", "\u200b", "\ufeff"]
PIECES = ["'s", "'S", "'t", "'T", "'re", "'RE", "'rE", "'ve", "'Ve", "'m", "'M", "'ll", "'LL", "'lL", "'d", "'D", "'ſ",
          "'x", "''", "'", "’s", "don't", "I'M", "we'd", "you'll", "it's", "\u212a", "\u017f",
          "123", "3.14", "1,000", "٣٤٥", "¼½", "Ⅻ", "²³", "①", "𝟘𝟙", "〇", "一二三",
          "e\u0301", "a\u0308", "\u0301", "\u0338", ">\u0338", "\u1100\u1161\u11a8", "\uac00\u11a8", "\u0915\u093c", "\u00c5",
          "\u212b", "\u2126", "ﬁ", "𝕳𝖊", "👋🏽", "👨‍👩‍👧‍👦", "🇮🇹", "❤️", "😀😀", "中文", "日本語", "한국어", "Привет",
          "مرحبا", "שלום", "नमस्ते", "สวัสดี", "Γειά", "İı", "ß", "ǅ", "!!!", "...", "?!", "---", "===", "$€¥", "@#%",
          "http://x.y/z?a=1&b=2", "a_b", "__init__", "x**2", "{\"k\": [1, 2]}", "<html>", "&amp;", "\\n", "\\u0041",
          "\u0000", "\u0001", "\u007f", "\ud7ff", "\ue000", "\U0010ffff", "\U000e0001", "\ufffd", "\ufe0f", "\u200d"]


# Always in the golden file: cases that once broke an implementation or sit on a rule's edge.
HANDPICKED = [
    "\uac00\u11a8", "x\uac00\u11a8y", "\u1100\u1161\u11a8", "\u0f73 \u0f75 \u0f81", "\U000e0061\u0308",
    "\U000e004c\u0301't", "\u03b1\u0899\u0301", "0\u08ca\u0336", "\u0301\u0316", "a\u0316\u0301",
    "a\U000323b0 a\U00010d4a a\U00016ea0 1\U0001fae9", "x'\u017ft x'St x'sT x'LLa x'Kx", "'S 'T 'RE 'Ve 'M 'LL 'D 's't're",
    "a \u2028b \u0085c \u00a0d \u3000e", "\x1c\x1d\x1e\x1f words", "  \r\n  x\n\r\n \t\n  ", "x \n \n  y", "a   ", "\t\t\tb",
    "<|im_end|>\u0338", "<|endoftext|>\u0301x", "<|im_start|><|im_end|><|endoftext|>", "<|im_start|", "<tool_call></tool_call>",
    "123456 ٣٤٥ ½ ⅫⅩ ①② 𝟘𝟙𝟚", "e\u0301\u0327\u0300", "\u1e9b\u0323", "\u212b\u2126\u212a", "\ufb01\ufb02 \uff21\uff42",
    "👨‍👩‍👧‍👦👋🏽🇮🇹❤️", "\U0010ffff\ue000\ufffd", "?!?!...\n\n", " ?!\r\n\r\nx", "don't\r\n", "\u0915\u093c\u093f",
]


# Pre-tokenizer cases: (name, text); the golden file gets the pieces of HF's Split step.
PRETOKENIZER_CASES = [
    ("contractions", "I'll say it's DON'T we'D 'Ll x'\u017ft 'x"),
    ("apostrophe runs", "''s '''ve 'r e"),
    ("crlf runs", "a\r\n\r\nb  \r\n  c\n"),
    ("line break then spaces", "x \n \n  y"),
    ("carriage returns", "a\r\rb\r \r"),
    ("trailing spaces", "end   "),
    ("spaces before word", "a  b   c"),
    ("tabs", "\t\tindent\t"),
    ("digits", "1234 3.14 \u0663\u0664\u0665 \u00bd\u216b"),
    ("punctuation", "!!!?? ..\n\n--- $5"),
    ("cjk", "你好，世界！我是通义千问。"),
    ("emoji", "hi 👋🏽 👨‍👩‍👧 ok"),
    ("combining marks", "cafe\u0301 e\u0301\u0327 \u0301x"),
    ("unicode spaces", "a\u00a0b\u2003c \u3000d\u2028e\u0085f"),
    ("control characters", "\x1c\x1fab\x00c"),
    ("newest letters", "a\U000323b0 a\U00010d4a"),
    ("empty", ""),
]


def random_scalar(rng):
    pools = [(0x20, 0x7f), (0xa0, 0x2ff), (0x300, 0x36f), (0x370, 0x52f), (0x530, 0x10ff), (0x1100, 0x11ff),
             (0x1e00, 0x1fff), (0x2000, 0x2bff), (0x3000, 0x30ff), (0x3400, 0x4dbf), (0x4e00, 0x9fff),
             (0xa000, 0xabff), (0xac00, 0xd7a3), (0xf900, 0xfaff), (0xfb00, 0xffef), (0x10000, 0x1ffff),
             (0x1f300, 0x1faff), (0x20000, 0x323af), (0xe0000, 0xe01ef)]
    while True:
        lo, hi = rng.choice(pools)
        cp = rng.randint(lo, hi)
        if not 0xd800 <= cp <= 0xdfff:
            return chr(cp)


def random_text(rng):
    kind = rng.random()
    parts = []
    for _ in range(rng.randint(1, 24)):
        r = rng.random()
        if r < 0.25:
            parts.append(rng.choice(WHITESPACE) * rng.randint(1, 3))
        elif r < 0.5:
            parts.append(rng.choice(PIECES))
        elif r < 0.6:
            parts.append(rng.choice(SPECIALS))
        elif r < 0.8:
            parts.append("".join(random_scalar(rng) for _ in range(rng.randint(1, 6))))
        else:
            parts.append("".join(rng.choice("abcXYZ019 .,'\n\t-_") for _ in range(rng.randint(1, 8))))
    text = "".join(parts)
    if kind < 0.1:
        text = unicodedata.normalize("NFD", text)
    return text


def exhaustive_texts(rng):
    """Every non-ASCII code point in several contexts, short strings over tricky symbols, and
    starters with stacks of combining marks."""
    for c in range(0x80, 0x110000):
        if not 0xD800 <= c <= 0xDFFF:
            x = chr(c)
            yield f"a{x}a {x}1{x} {x}{x}'{x}\n{x}  {x}"
    symbols = [" ", "\t", "\n", "\r", "'", "s", "l", "L", "e", "v", "R", "1", ".", "\u3000", "\u0085", "é", "<|im_end|>"]
    for n in range(1, 6):
        for p in itertools.product(symbols, repeat=n):
            yield "".join(p)
    marks = [chr(c) for c in list(range(0x300, 0x370)) + list(range(0x591, 0x5c8)) + list(range(0x93c, 0x94e))
             + list(range(0xf71, 0xf85)) + list(range(0x1161, 0x1176)) + list(range(0x11a8, 0x11c3))
             + list(range(0x1ab0, 0x1acf)) + list(range(0x1dc0, 0x1e00)) + list(range(0x20d0, 0x20f1))
             + [0x9be, 0x9d7, 0xb3e, 0xb56, 0xbbe, 0xbd7, 0x102e, 0x3099, 0x309a, 0x1d165, 0x110ba, 0x1133e, 0x16ff0]]
    starters = list("aeiouAEIOUnNcCsSzZyYwW") + [chr(c) for c in [
        0x3b1, 0x3b9, 0x3c9, 0x415, 0x430, 0x627, 0x648, 0x915, 0x928, 0x9c7, 0xb47, 0xbc6, 0x1025, 0x304b, 0x30ab,
        0x1100, 0xac00, 0xac1c, 0xf40, 0x1f00, 0x212b, 0xf73, 0x11099, 0x11347, 0x1d158, 0xe0061, 0x1f600]]
    for _ in range(40000):
        text = "".join(rng.choice(starters) + "".join(rng.choice(marks) for _ in range(rng.randint(0, 3)))
                       for _ in range(rng.randint(1, 6)))
        yield unicodedata.normalize("NFD", text) if rng.random() < 0.3 else text


def run_qwen(binary, tok_dir, texts):
    # Half the lines escape non-ASCII text, half carry it as raw UTF-8.
    lines = "".join(json.dumps({"text": t}, ensure_ascii=i % 2 == 0) + "\n" for i, t in enumerate(texts))
    out = subprocess.run([binary, "tokenize", "--model", tok_dir, "--jsonl"], input=lines.encode(),
                         capture_output=True, check=True).stdout.decode().splitlines()
    return [json.loads(line)["ids"] for line in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("tokenizer_dir")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--exhaustive", action="store_true")
    ap.add_argument("--write-golden")
    ap.add_argument("--golden-count", type=int, default=300)
    ap.add_argument("--write-decode-golden")
    ap.add_argument("--write-pretokenizer-golden")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    hf = Tokenizer.from_file(f"{args.tokenizer_dir}/tokenizer.json")
    texts = HANDPICKED + [random_text(rng) for _ in range(args.count)]
    if args.exhaustive:
        texts += list(exhaustive_texts(random.Random(args.seed)))
    expected = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    got = run_qwen(args.binary, args.tokenizer_dir, texts)
    bad = 0
    for text, want, have in zip(texts, expected, got):
        if want != have:
            bad += 1
            if bad <= 20:
                print("MISMATCH", repr(text))
                print("  hf  ", want, [hf.id_to_token(i) for i in want])
                print("  qwen", have, [hf.id_to_token(i) for i in have])
    print(f"{len(texts)} texts, {sum(len(t) for t in texts)} chars, {bad} mismatches")
    if args.write_golden:
        chosen = [texts[i] for i in rng.sample(range(len(texts)), args.golden_count)]
        cases = []
        for text in HANDPICKED + chosen:
            ids = hf.encode(text, add_special_tokens=False).ids
            cases.append({"text": text, "ids": ids, "decoded": hf.decode(ids, skip_special_tokens=False)})
        json.dump({"tokenizer": "Qwen2.5", "reference": f"HF tokenizers {__import__('tokenizers').__version__}, "
                   f"random corpus of tokenizer_crosscheck.py seed {args.seed}", "cases": cases},
                  open(args.write_golden, "w"), ensure_ascii=False, indent=0)
    if args.write_decode_golden:
        byte_tokens = [hf.token_to_id(t) for t in ["Ġ", "ä", "¸", "Ń", "ð", "Ł", "ĺ", "Ģ", "Ã", "©", "ï", "¿", "½", "í", "ł", "Ģ"]]
        cases = []
        for _ in range(200):
            ids = [rng.choice(byte_tokens) if rng.random() < 0.6 else rng.randrange(151665) for _ in range(rng.randint(1, 12))]
            cases.append({"ids": ids, "decoded": hf.decode(ids, skip_special_tokens=False),
                          "decoded_skipping_special": hf.decode(ids, skip_special_tokens=True)})
        json.dump({"reference": "HF tokenizers decode", "cases": cases}, open(args.write_decode_golden, "w"),
                  ensure_ascii=False, indent=0)
    if args.write_pretokenizer_golden:
        from tokenizers import pre_tokenizers, Regex
        pattern = json.load(open(f"{args.tokenizer_dir}/tokenizer.json"))["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
        split = pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)
        cases = [{"name": name, "text": text, "pieces": [p for p, _ in split.pre_tokenize_str(text)]}
                 for name, text in PRETOKENIZER_CASES]
        json.dump({"reference": "HF tokenizers Split with the Qwen2 pattern", "cases": cases},
                  open(args.write_pretokenizer_golden, "w"), ensure_ascii=False, indent=1)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
