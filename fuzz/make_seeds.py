#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/corpus: one valid message per decoder.

Layout of an input (see fuzz/wire_fuzz.h): byte 0 picks the decoder, byte 1
the number of items of a reply, the rest is the body. Encodings follow
pool/codec.h and pool/internal/wire.h: native (little-endian) fixed-width
integers and a u64 count before every variable-length value.

    python3 fuzz/make_seeds.py      # rewrites fuzz/corpus/seed_*
"""
import os
import struct

u8 = lambda v: struct.pack("<B", v)
i16 = lambda v: struct.pack("<h", v)
i32 = lambda v: struct.pack("<i", v)
u64 = lambda v: struct.pack("<Q", v)
i64 = lambda v: struct.pack("<q", v)
f64 = lambda v: struct.pack("<d", v)


def string(s):
    b = s.encode()
    return u64(len(b)) + b


def task_error(type_name, what):
    return string(type_name) + string(what)


SEEDS = {
    "string": (0, 0, string("hello, worker")),
    "string_empty": (0, 0, string("")),
    "vector_i32": (1, 0, u64(3) + i32(1) + i32(-2) + i32(3)),
    "vector_string": (2, 0, u64(2) + string("a") + string("bc")),
    "map_string_vector_double": (
        3, 0, u64(2) + string("x") + u64(1) + f64(1.5) + string("y") + u64(0)),
    "vector_vector_u64": (4, 0, u64(2) + u64(1) + u64(7) + u64(0)),
    "tuple": (5, 0, i32(42) + u8(1) + string("opt") + u8(1) + i16(1) + i16(2)
              + i16(3)),
    "tuple_nullopt": (5, 0, i32(0) + u8(0) + u8(0) + i16(0) + i16(0) + i16(0)),
    "unordered_map": (6, 0, u64(1) + i64(-5) + u64(1) + string("k") + u8(1)),
    "task_error": (7, 0, task_error("std::out_of_range", "index 7")),
    "ready_ok": (8, 0, u8(1)),
    "ready_failed": (8, 0, u8(0) + task_error("int", "42")),
    # Replies: u64 count, the count results (a default value where an item
    # failed), u64 errors, then per failed item u64 index and the error.
    "reply_int": (9, 3, u64(3) + i32(1) + i32(0) + i32(3) + u64(1) + u64(1)
                  + task_error("int", "42")),
    "reply_string": (10, 2, u64(2) + string("one") + string("") + u64(0)),
    "reply_void": (11, 2, u64(2) + u64(1) + u64(1) + task_error("E", "w")),
    "reply_nested": (12, 1, u64(1) + u64(1) + u64(1) + i32(9)
                     + string("nine") + u64(0)),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, (decoder, items, body) in SEEDS.items():
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(u8(decoder) + u8(items) + body)


if __name__ == "__main__":
    main()
