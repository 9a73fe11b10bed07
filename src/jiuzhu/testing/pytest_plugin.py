"""Loaded with `-p jiuzhu.testing.pytest_plugin` before Django starts.

Points the settings at a throw-away key file so tests never touch real keys,
and marks the environment as `test`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jiuzhu.protection.keyfile import write_key_file

os.environ.setdefault("JIUZHU_ENV", "test")
if "JIUZHU_KEY_FILE" not in os.environ:
    _key_dir = Path(tempfile.mkdtemp(prefix="jiuzhu-test-keys-"))
    _key_file = _key_dir / "keys.json"
    write_key_file(_key_file)
    os.environ["JIUZHU_KEY_FILE"] = str(_key_file)
if "JIUZHU_DATA_DIR" not in os.environ:
    os.environ["JIUZHU_DATA_DIR"] = tempfile.mkdtemp(prefix="jiuzhu-test-data-")
