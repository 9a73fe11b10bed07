"""Commercial cryptography (商用密码, GB/T 39786) for personal data.

SM4-GCM encryption with key ids, HMAC-SM3 blind indexes and SM3 hashes, on
top of the `cryptography` package. Framework-free: keys are handed in by the
caller (see `jiuzhu.core.keys`).
"""
