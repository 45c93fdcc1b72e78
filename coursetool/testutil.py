"""Helpers for the tool's unit tests: where the recorded test data is."""

import os

TESTDATA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "testdata")


def data(*parts):
    return os.path.join(TESTDATA, *parts)


def read(*parts):
    with open(data(*parts), encoding="utf-8") as f:
        return f.read()


GOOD_TOML = '''
id = "03"
title = "map"
track = "Using a pool"
order = 30
lesson = "lessons/03_map"
files = ["exercise.cc"]
hints = ["one", "two", "three"]

[weights]
"MapTest.A" = 2
'''
