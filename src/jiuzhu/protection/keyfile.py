"""The key file: Django's secret key, SM4 data keys by id, the index and integrity keys.

Kept outside the repository (`JIUZHU_KEY_FILE`), readable by the service user
only. `python -m jiuzhu.protection.keyfile init PATH` writes a fresh one.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from jiuzhu.protection.sm import KEY_BYTES, CryptoError, KeyRing


def new_key_material() -> dict[str, Any]:
    return {
        "secret_key": secrets.token_urlsafe(50),
        "active": "k1",
        "keys": {"k1": secrets.token_hex(KEY_BYTES)},
        "index_key": secrets.token_hex(32),
        "integrity_key": secrets.token_hex(32),
    }


def write_key_file(path: Path) -> None:
    """Create a key file with mode 0600; refuse to overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(new_key_material(), handle, indent=2)


def read_key_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CryptoError(
            f"密钥文件不存在：{path}（可用 `python -m jiuzhu.protection.keyfile init {path}` 生成）"
        ) from None
    except (OSError, ValueError) as exc:
        raise CryptoError(f"密钥文件无法读取：{path}（{exc.__class__.__name__}）") from None
    if (
        not isinstance(data, dict)
        or not {"secret_key", "active", "keys", "index_key"} <= data.keys()
    ):
        raise CryptoError(f"密钥文件缺少必需项：{path}")
    return data


def keyring_from(data: dict[str, Any]) -> KeyRing:
    try:
        return KeyRing(
            active_key_id=str(data["active"]),
            encryption_keys={str(k): bytes.fromhex(v) for k, v in data["keys"].items()},
            index_key=bytes.fromhex(data["index_key"]),
            integrity_key=bytes.fromhex(data.get("integrity_key", "")),
        )
    except (ValueError, TypeError, AttributeError):
        raise CryptoError("密钥文件中的密钥不是合法的十六进制串") from None


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"init", "ensure"}:
        print("用法：python -m jiuzhu.protection.keyfile init|ensure PATH", file=sys.stderr)
        return 2
    path = Path(argv[2]).expanduser()
    if path.exists():
        if argv[1] == "ensure":
            read_key_file(path)
            return 0
        print(f"密钥文件已存在，未覆盖：{path}", file=sys.stderr)
        return 1
    write_key_file(path)
    print(f"已生成密钥文件：{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
