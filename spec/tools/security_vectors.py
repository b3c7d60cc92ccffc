#!/usr/bin/env python3
"""Generator of the security test vectors of spec/13-security-test-vectors.md.

Usage (from the repository root, after `cargo build -p iotp2p-codegen --bin iotp2p`):

    python3 spec/tools/security_vectors.py > spec/13-security-test-vectors.md

The output is the whole chapter: its prose, which lives in this file, and its `iotp-vector` blocks,
which this file computes. Running it twice gives the same bytes: every key, nonce and input is fixed
here and written out in the chapter, and the signatures use the deterministic nonces of RFC 6979.

Where the values come from:

- the cryptography is that of the Python package `cryptography` (pyca/cryptography, version 48, on
  OpenSSL): HKDF-SHA-256, AES-CCM with an 8-byte tag (AES-CCM-16-64-128 with a 13-byte nonce), ECDSA on
  P-256 with SHA-256 and `deterministic_signing=True` (RFC 6979), SHA-256. This file implements no
  cryptographic primitive itself;
- the encodings of the schema types (`SealedAad`, `Body`, `Statement`, `SignedStatement`, ...) are those
  of the `iotp2p` tool (`iotp2p encode TYPE JSON`), which uses the schema compiler's reflection codec;
- the COSE structures that are not schema types (the HKDF `info` of RFC 8613 section 3.2.1, the
  Enc_structure, the Sig_structure, the COSE_Key of a thumbprint and the CWT Claims Set of an
  authentication credential) are encoded by the small deterministic CBOR writer `cbor()` below, which
  covers the few item types they use;
- the Verhoeff check digit is computed with the tables exactly as spec/08-security.md section 8.3.1
  prints them.

Before it writes anything, the script checks itself against published values: the derived keys of
RFC 8613 appendix C.1.1, the node ID of the RFC 9679 example key, the sealed request and reply of
spec/08-security.md section 8.5.8, the ECDSA signatures of RFC 6979 appendix A.2.5 and the Verhoeff
check digits of the examples printed in section 8.3.1. It stops with an AssertionError if one differs.

The vectors are checked by an independent implementation, codegen/tests/spec_security_vectors.rs
(RustCrypto's aes, ccm, hkdf, sha2 and p256 crates, ciborium, and the generated codec of iotp2p-codec).
"""

import base64
import hashlib
import json
import os
import subprocess
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOL = os.environ.get("IOTP2P", os.path.join(ROOT, "target", "debug", "iotp2p"))

# ---------------------------------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------------------------------


def cbor(value):
    """Deterministic CBOR (RFC 8949 section 4.2.1) of int, bytes, str, None, list and dict values.

    Map keys are sorted by their encoded bytes; integers and lengths take their shortest head.
    """

    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | extra]) + n.to_bytes(size, "big")
        raise ValueError(n)

    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return head(3, len(raw)) + raw
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(v) for v in value)
    if isinstance(value, dict):
        entries = sorted((cbor(k), cbor(v)) for k, v in value.items())
        return head(5, len(entries)) + b"".join(k + v for k, v in entries)
    raise TypeError(type(value))


def encode(type_name, value):
    """The encoding of `value` (a JSON value) as `type_name`, by the `iotp2p` tool."""
    text = json.dumps(value, separators=(", ", ": "))
    out = subprocess.run(
        [TOOL, "encode", type_name, text], check=True, capture_output=True, text=True
    ).stdout
    return bytes.fromhex(out.replace(" ", "").strip())


def one_line(value):
    """A JSON value on one line, as the chapter writes it."""
    return json.dumps(value, separators=(", ", ": "))


def b32(data):
    """Lowercase base32 without padding (RFC 4648 section 6; spec/02-addressing.md section 2.8.1)."""
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


# ---------------------------------------------------------------------------------------------------
# OSCORE key derivation, nonce and associated data (spec/08-security.md sections 8.5.3 to 8.5.5)
# ---------------------------------------------------------------------------------------------------

AES_CCM_16_64_128 = 10


def hkdf(secret, salt, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def derive(secret, salt, ident, kind):
    """RFC 8613 section 3.2.1: a Sender or Recipient Key (`kind` "Key") or the Common IV ("IV")."""
    length = 16 if kind == "Key" else 13
    info = cbor([ident, None, AES_CCM_16_64_128, kind, length])
    return hkdf(secret, salt, info, length)


def nonce(common_iv, id_piv, message_id):
    """Section 8.5.4: Common IV XOR (length of ID_PIV || ID_PIV padded to 7 bytes || PIV in 5 bytes)."""
    if message_id >= 1 << 40:
        raise ValueError("message_id of 2^40 or more (IOTP-SEC-70)")
    assert len(id_piv) <= 7
    block = bytes([len(id_piv)]) + bytes(7 - len(id_piv)) + id_piv + message_id.to_bytes(5, "big")
    return bytes(a ^ b for a, b in zip(common_iv, block))


def enc_structure(sealed_aad):
    """Section 8.5.3: the Enc_structure ["Encrypt0", h'', bstr(SealedAad)]."""
    return cbor(["Encrypt0", b"", sealed_aad])


# ---------------------------------------------------------------------------------------------------
# Keys, node IDs, credentials and signatures (sections 2.8.1, 8.2)
# ---------------------------------------------------------------------------------------------------

P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def test_scalar(label):
    """A fixed test private key: SHA-256 of the label's text, as an integer (checked to be below n)."""
    d = int.from_bytes(hashlib.sha256(label.encode("ascii")).digest(), "big")
    assert 0 < d < P256_N
    return d


class Key:
    def __init__(self, name, d):
        self.name = name
        self.d = d
        self.private = ec.derive_private_key(d, ec.SECP256R1())
        numbers = self.private.public_key().public_numbers()
        self.x = numbers.x.to_bytes(32, "big")
        self.y = numbers.y.to_bytes(32, "big")
        self.cose_key = cbor({1: 2, -1: 1, -2: self.x, -3: self.y})
        digest = hashes.Hash(hashes.SHA256())
        digest.update(self.cose_key)
        self.node_id = digest.finalize()
        self.text = b32(self.node_id)

    def sign(self, message):
        """ES256 with RFC 6979 nonces: r || s, 32 bytes each (section 8.2.3, [IOTP-SEC-12])."""
        der = self.private.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_json(self):
        return {"x": self.x.hex(), "y": self.y.hex()}


def ccs(owner, auth_key, kid):
    """Section 8.2.2: the CWT Claims Set {2: sub, 8: {1: COSE_Key}} of a P-256 authentication key."""
    cose_key = {1: 2, 2: kid, -1: 1, -2: auth_key.x, -3: auth_key.y}
    return cbor({2: owner.text, 8: {1: cose_key}})


def sig_structure(payload):
    """Section 8.2.3: ["Signature1", h'a10126', h'', payload]."""
    return cbor(["Signature1", cbor({1: -7}), b"", payload])


# ---------------------------------------------------------------------------------------------------
# Verhoeff (section 8.3.1), with the tables as printed there
# ---------------------------------------------------------------------------------------------------

VERHOEFF_D = [
    "0123456789", "1234067895", "2340178956", "3401289567", "4012395678",
    "5987604321", "6598710432", "7659821043", "8765932104", "9876543210",
]
VERHOEFF_P = [
    "0123456789", "1576283094", "5803796142", "8916043527",
    "9453126870", "4286573901", "2793806415", "7046913258",
]
VERHOEFF_INV = "0432156789"


def verhoeff_c(digits, first_position, right_to_left=True):
    c = 0
    seq = reversed(digits) if right_to_left else iter(digits)
    for i, ch in enumerate(seq, start=first_position):
        c = int(VERHOEFF_D[c][int(VERHOEFF_P[i % 8][int(ch)])])
    return c


def verhoeff_check(digits):
    """The check digit of section 8.3.1: digits from the right, the rightmost at i = 1."""
    return int(VERHOEFF_INV[verhoeff_c(digits, 1)])


def verhoeff_check_left_to_right(digits):
    """The mistaken variant: digits from the left, the leftmost at i = 1."""
    return int(VERHOEFF_INV[verhoeff_c(digits, 1, right_to_left=False)])


def verhoeff_valid(code):
    return verhoeff_c(code, 0) == 0


# ---------------------------------------------------------------------------------------------------
# Self-checks against published values
# ---------------------------------------------------------------------------------------------------


def self_check():
    # RFC 8613, appendix C.1.1 (client): Master Secret, Master Salt, Sender ID h'', Recipient ID h'01'.
    secret = bytes(range(1, 17))
    salt = bytes.fromhex("9e7ca92223786340")
    assert derive(secret, salt, b"", "Key").hex() == "f0910ed7295e6ad4b54fc793154302ff"
    assert derive(secret, salt, b"\x01", "Key").hex() == "ffb14e093c94c9cac9471648b4f98710"
    assert derive(secret, salt, b"", "IV").hex() == "4622d4dd6d944168eefb54987c"
    # RFC 9679, section 6: the thumbprint of its example P-256 key.
    x = bytes.fromhex("65eda5a12577c2bae829437fe338701a10aaa375e1bb5b5de108de439c08551d")
    y = bytes.fromhex("1e52ed75701163f7f9e40ddf9f341b3dc9ba860af7e0ca7ca7e9eecd0084d19c")
    digest = hashes.Hash(hashes.SHA256())
    digest.update(cbor({1: 2, -1: 1, -2: x, -3: y}))
    assert digest.finalize().hex() == (
        "496bd8afadf307e5b08c64b0421bf9dc01528a344a43bda88fadd1669da253ec"
    )
    # RFC 6979, appendix A.2.5: P-256, SHA-256, messages "sample" and "test".
    key = Key("rfc6979", 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721)
    assert key.sign(b"sample").hex() == (
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
        "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
    )
    assert key.sign(b"test").hex() == (
        "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
        "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"
    )
    # Section 8.3.1: the worked example and the table of manual pairing codes.
    # The examples of Verhoeff's scheme found in most descriptions of it: 236 gives 3, 12345 gives 1.
    assert verhoeff_check("236") == 3 and verhoeff_check("12345") == 1
    for code in ["742694142372", "000000000019", "001000000011", "123456789010",
                 "318406173528", "999999999981"]:
        assert verhoeff_check(code[:11]) == int(code[11]), code
        assert verhoeff_valid(code), code


# ---------------------------------------------------------------------------------------------------
# The chapter
# ---------------------------------------------------------------------------------------------------

OUT = []


def prose(text):
    OUT.append(text.strip("\n") + "\n")


def vector(*items):
    lines = ["```iotp-vector"]
    for name, value in items:
        if isinstance(value, bytes):
            value = value.hex()
        lines.append(f"{name}: {value}".rstrip())
        assert "\n" not in str(value)
    lines.append("```")
    OUT.append("\n".join(lines) + "\n")


# --- set 1: sealing ---------------------------------------------------------------------------------

RFC8613_SECRET = bytes(range(1, 17))
RFC8613_SALT = bytes.fromhex("9e7ca92223786340")

APP = "app@example.com"
LAMP = "lamp@home.example.org"
LAMP_NEW = "lamp@lamps.example.org"


class Context:
    """A security context as both of its sides derive it."""

    def __init__(self, ident, secret, salt, note):
        self.ident = ident
        self.secret = secret
        self.salt = salt
        self.note = note
        self.common_iv = derive(secret, salt, b"", "IV")

    def key(self, sender_id):
        return derive(self.secret, self.salt, sender_id, "Key")


def sealed_aad(request_key_id, request_message_id, sender=None, recipient=None):
    value = {
        "format": 1,
        "algorithm": AES_CCM_16_64_128,
        "request_key_id": request_key_id.hex(),
        "request_message_id": request_message_id,
        "version": 1,
    }
    if sender is not None:
        value["sender"] = sender
    if recipient is not None:
        value["recipient"] = recipient
    return value


def seal_items(ctx, sender_id, message_id, aad_json, body_json=None, plaintext=None):
    if plaintext is None:
        plaintext = encode("iotp2p.core.Body", body_json)
    aad_bytes = encode("iotp2p.security.SealedAad", aad_json)
    aad = enc_structure(aad_bytes)
    key = ctx.key(sender_id)
    n = nonce(ctx.common_iv, sender_id, message_id)
    sealed = AESCCM(key, tag_length=8).encrypt(n, plaintext, aad)
    items = [
        ("context", ctx.ident),
        ("master_secret", ctx.secret),
        ("master_salt", ctx.salt),
        ("sender_id", sender_id),
        ("sender_key", key),
        ("common_iv", ctx.common_iv),
        ("message_id", message_id),
        ("sealed_aad_json", one_line(aad_json)),
        ("sealed_aad", aad_bytes),
        ("aad", aad),
        ("nonce", n),
    ]
    if body_json is not None:
        items.append(("body_json", one_line(body_json)))
    items += [("plaintext", plaintext), ("sealed", sealed)]
    return items, sealed


def open_fails(ctx, sender_id, message_id, aad_json, sealed):
    """What an opener computes, and the way opening fails: `aead` or `body`."""
    aad_bytes = encode("iotp2p.security.SealedAad", aad_json)
    aad = enc_structure(aad_bytes)
    key = ctx.key(sender_id)
    n = nonce(ctx.common_iv, sender_id, message_id)
    try:
        plaintext = AESCCM(key, tag_length=8).decrypt(n, sealed, aad)
    except Exception:  # cryptography.exceptions.InvalidTag, or a too short input
        failure = "aead"
    else:
        assert plaintext == b"", "only the empty plaintext is expected to open here"
        failure = "body"
    items = [
        ("context", ctx.ident),
        ("master_secret", ctx.secret),
        ("master_salt", ctx.salt),
        ("sender_id", sender_id),
        ("sender_key", key),
        ("common_iv", ctx.common_iv),
        ("message_id", message_id),
        ("sealed_aad_json", one_line(aad_json)),
        ("sealed_aad", aad_bytes),
        ("aad", aad),
        ("nonce", n),
        ("sealed", sealed),
        ("failure", failure),
    ]
    return items


def main():
    self_check()

    # ---- keys of set 2 and 3 ----
    keys = {name: Key(name, test_scalar("iotp2p test key " + name))
            for name in ["lamp", "controller", "app", "lamp-2"]}
    auth = {name: Key(name + "-auth", test_scalar("iotp2p test auth key " + name))
            for name in ["lamp", "controller", "app"]}

    # ---- contexts of set 1 ----
    ctx_rfc = Context("rfc8613-c11", RFC8613_SECRET, RFC8613_SALT,
                      "RFC 8613, appendix C.1.1 (the client's view)")
    ctx_858 = Context("sec-8.5.8", RFC8613_SECRET, RFC8613_SALT,
                      "the app and the lamp of section 8.5.8")
    k_shared = bytes(range(0x20, 0x40))
    controller_nonce = bytes(range(0xA0, 0xB0))
    device_nonce = bytes(range(0xB0, 0xC0))
    ctx_pair = Context("pairing", k_shared, controller_nonce + device_nonce,
                       "a pairing context (section 8.3.4)")
    ctx_long = Context("long-and-empty", bytes(range(0x40, 0x60)), bytes.fromhex("5a5b5c5d5e5f6061"),
                       "a context with a 7-byte and an empty Sender ID")
    ctx_new = Context("new-handshake", bytes(range(0x60, 0x80)), bytes.fromhex("6162636465666768"),
                      "the app and the lamp after a new EDHOC handshake")
    ctx_other = Context("other-peer", bytes(range(0x80, 0xA0)), bytes.fromhex("7172737475767778"),
                        "another context of the lamp, with another peer whose Sender ID is 07")

    # Reproduce section 8.5.8 before anything else.
    assert ctx_858.key(b"\x01").hex() == "ffb14e093c94c9cac9471648b4f98710"
    assert ctx_858.key(b"\x02").hex() == "b441b78a5bb4319d845d7a323b5aa251"
    assert ctx_858.common_iv.hex() == "4622d4dd6d944168eefb54987c"

    chapter_text(keys, auth, ctx_rfc, ctx_858, ctx_pair, ctx_long, ctx_new, ctx_other,
                 k_shared, controller_nonce, device_nonce)
    sys.stdout.write("\n".join(OUT))


def context_vector(ctx, sender_id, recipient_id):
    vector(
        ("kind", "oscore-context"),
        ("context", ctx.ident),
        ("master_secret", ctx.secret),
        ("master_salt", ctx.salt),
        ("sender_id", sender_id),
        ("recipient_id", recipient_id),
        ("sender_key", ctx.key(sender_id)),
        ("recipient_key", ctx.key(recipient_id)),
        ("common_iv", ctx.common_iv),
    )


SET_LEVEL_200 = {"invoke": {"endpoint": 1, "capability": 7, "action": 8, "input": "a20018c8010a"}}


def chapter_text(keys, auth, ctx_rfc, ctx_858, ctx_pair, ctx_long, ctx_new, ctx_other,
                 k_shared, controller_nonce, device_nonce):
    lamp, controller, app, lamp2 = keys["lamp"], keys["controller"], keys["app"], keys["lamp-2"]

    prose("""
<a id="vectors"></a>
# 13 Security test vectors

This chapter is normative test data: the values that an implementation of [chapter 8](08-security.md)
computes from fixed inputs. It covers the sealing of envelopes ([§8.5](08-security.md#sec-sealing)),
including the pairing context ([§8.3.4](08-security.md#sec-pairing-context)), node IDs
([§2.8.1](02-addressing.md#addr-identity-key)) and authentication credentials
([§8.2.2](08-security.md#sec-credential)), the signed statements of [§8.2.3](08-security.md#sec-statements),
and the check digit of manual pairing codes ([§8.3.1](08-security.md#sec-setup-code)). The vectors of
[§8.5.8](08-security.md#sec-vectors) are repeated here as the first sealing vectors, with the same
numbers. The private keys are test keys, published here: no product may use them.

<a id="vectors-provenance"></a>
## 13.1 How the vectors were computed and checked

The vectors are generated by `spec/tools/security_vectors.py`, which writes this chapter
(`python3 spec/tools/security_vectors.py > spec/13-security-test-vectors.md`). Its cryptography is that
of the Python package `cryptography` (pyca/cryptography, version 48, on OpenSSL): HKDF-SHA-256, AES-CCM
with an 8-byte tag, ECDSA on P-256 with SHA-256 and deterministic nonces ([RFC 6979]), and SHA-256. The
encodings of schema types come from the `iotp2p` tool (`iotp2p encode`, the schema compiler's
reflection codec); the COSE structures (the HKDF `info`, the Enc_structure, the Sig_structure, the
COSE_Key of a thumbprint and the CWT Claims Set of a credential) from a small deterministic CBOR writer
in the script. Before it writes anything, the script reproduces published values: the derived keys of
[RFC 8613], appendix C.1.1, the thumbprint of the example key of [RFC 9679], the signatures of
[RFC 6979], appendix A.2.5 (P-256, SHA-256), the vectors of [§8.5.8](08-security.md#sec-vectors) and the
check digits printed in [§8.3.1](08-security.md#sec-setup-code).

An independent implementation checks every block: the test `codegen/tests/spec_security_vectors.rs`
(`cargo test -p iotp2p-codegen --test spec_security_vectors`) recomputes each value with RustCrypto
(the crates `hkdf`, `aes` and `ccm`, `sha2`, and `p256` with `ecdsa`), encodes the COSE structures with
the generic CBOR library `ciborium` and the schema types with the generated codec of `iotp2p-codec`,
and requires byte equality, and the stated failure for the vectors that must fail. It fails if a
kind of vector is missing from this chapter.

<a id="vectors-format"></a>
## 13.2 Vector blocks

Each vector is a fenced block whose info string is `iotp-vector`
([Conventions](README.md#conventions)). Its first line names the kind of vector; each further line is one
item:

```abnf
iotp-vector  = "kind: " kind LF 1*( item LF )
kind         = 1*( %x61-7A / "-" )
item         = name ":" [ SP value ]
name         = %x61-7A *( %x61-7A / DIGIT / "_" )
value        = 1*( VCHAR / SP )                ; no trailing space
```

- A name appears at most once in a block. The items of each kind, in the order they appear, are listed
  in the section of that kind; a block has no other items.
- A byte string is written in lowercase hexadecimal without spaces; an empty byte string as the name and
  the colon with nothing after them (`sender_id:`).
- A number is decimal. An item whose name ends in `_json` is canonical JSON
  ([§4.18](04-wire-format.md#wire-json)) on one line. Other items are text: a name, an address, or a
  word from a closed list given with the kind.

Byte strings are what an implementation computes or is given, never abbreviated. Where a kind gives an
item in two forms (a value as JSON and its encoding), the encoding is the deterministic encoding of that
value ([chapter 4](04-wire-format.md)), and a checker checks both.
""")

    # ---------------------------------------------------------------------------------------------
    prose("""
<a id="vectors-sealing"></a>
## 13.3 Sealing

<a id="vectors-contexts"></a>
### 13.3.1 Security contexts

The keys and the Common IV of a security context are derived as in [RFC 8613], section 3.2, with
HKDF-SHA-256 and AES-CCM-16-64-128 (10): `HKDF(salt = Master Salt, IKM = Master Secret, info, L)` with
`info` the deterministic encoding of `[id, null, 10, type, L]`, where `id` is the Sender ID for its Sender
Key (`type` `"Key"`, L = 16) and the empty byte string for the Common IV (`type` `"IV"`, L = 13). No
context of iotp2p has an ID Context, so the second element is always `null`.

A block of kind `oscore-context` gives both sides of one context:

| item | value |
|---|---|
| `context` | a name for the context, used by the sealing vectors |
| `master_secret`, `master_salt` | the inputs |
| `sender_id`, `recipient_id` | the Sender ID of one side, and that of the other |
| `sender_key`, `recipient_key` | the Sender Keys derived for `sender_id` and `recipient_id` |
| `common_iv` | the Common IV (13 bytes) |

The first context is that of [RFC 8613], appendix C.1.1, seen by its client (Sender ID empty,
Recipient ID `01`); the RFC gives the three derived values. The second is the context of
[§8.5.8](08-security.md#sec-vectors), which reuses that appendix's Master Secret and Master Salt, seen by
the app (Sender ID `01`) whose peer, the lamp, has the Sender ID `02`.
""")
    context_vector(ctx_rfc, b"", b"\x01")
    context_vector(ctx_858, b"\x01", b"\x02")

    prose(f"""
The pairing context of [§8.3.4](08-security.md#sec-pairing-context) is derived from `K_shared` and the
two nonces of the pairing, here:

| item | value |
|---|---|
| `K_shared` (the Master Secret) | `{k_shared.hex()}` |
| `controller_nonce` | `{controller_nonce.hex()}` |
| `device_nonce` | `{device_nonce.hex()}` |

The Master Salt is `controller_nonce || device_nonce` (32 bytes). The controller's Sender ID is `01`, the
device's `00`:
""")
    context_vector(ctx_pair, b"\x01", b"\x00")

    prose("""
Three more contexts serve the edge cases below: one between a node whose Sender ID has the largest
length, 7 bytes, and a node whose Sender ID is empty (both are valid connection identifiers,
[§8.4.2](08-security.md#sec-connection-ids)); one between the app and the lamp of §8.5.8 after a new
EDHOC handshake, in which the app's Sender ID is `05` and the lamp's `03`; and one that the lamp holds with
another peer, whose Sender ID is `07`.
""")
    context_vector(ctx_long, bytes.fromhex("0123456789abcd"), b"")
    context_vector(ctx_new, b"\x05", b"\x03")
    context_vector(ctx_other, b"\x04", b"\x07")

    # ---------------------------------------------------------------------------------------------
    prose("""
<a id="vectors-seal"></a>
### 13.3.2 Sealed envelopes

A block of kind `seal` is one envelope sealed as [§8.5.5](08-security.md#sec-seal) specifies, and opened
again by its recipient:

| item | value |
|---|---|
| `id` | the name of the vector |
| `context`, `master_secret`, `master_salt` | the context (one of [§13.3.1](#vectors-contexts)) and its inputs |
| `sender_id` | the Sender ID of the sealing node: its ID_PIV, and the `key_id` of the envelope when it carries one |
| `sender_key`, `common_iv` | derived from the above |
| `message_id` | the envelope's `message_id`: the Partial IV |
| `sealed_aad_json`, `sealed_aad` | the `SealedAad` ([§8.5.3](08-security.md#sec-aad)) in canonical JSON, and its encoding |
| `aad` | the AEAD's associated data: the Enc_structure `["Encrypt0", h'', sealed_aad]` ([RFC 9052], section 5.3) |
| `nonce` | the nonce of [§8.5.4](08-security.md#sec-nonce) (13 bytes) |
| `body_json` | the `Body` that is sealed, in canonical JSON (absent where the plaintext is given only as bytes) |
| `plaintext` | the encoding of the `Body` |
| `sealed` | the envelope's `sealed`: the AES-CCM-16-64-128 ciphertext followed by its 8-byte tag |

The request and the reply of [§8.5.8](08-security.md#sec-vectors), with the same values:
""")
    # Section 8.5.8 request and reply.
    items, sealed_request = seal_items(
        ctx_858, b"\x01", 1234, sealed_aad(b"\x01", 1234, APP, LAMP), SET_LEVEL_200)
    assert sealed_request.hex() == "4b56fe05c68f0bad510e2c7260793a92e944d4f7ac3dfa30bb"
    vector(("kind", "seal"), ("id", "seal.request-8.5.8"), *items)
    items, sealed_reply = seal_items(
        ctx_858, b"\x02", 77, sealed_aad(b"\x01", 1234, LAMP, APP), {"invoke_response": {}})
    assert sealed_reply.hex() == "2e036de70afaff16d84dce"
    vector(("kind", "seal"), ("id", "seal.reply-8.5.8"), *items)

    prose("""
The Partial IV at its bounds: the app's first request of a context (`message_id` 0, a read of the
lamp's `Level` capability) and its last possible one (`message_id` 2^40 − 1 = 1099511627775, the
`set_level` of §8.5.8 again); and a `message_id` of 2^32 or more, whose five bytes are all significant
(`message_id` 4886718345 = `0x0123456789`):
""")
    read_level = {"read": {"endpoint": 1, "capability": 7}}
    items, sealed_piv0 = seal_items(ctx_858, b"\x01", 0, sealed_aad(b"\x01", 0, APP, LAMP), read_level)
    vector(("kind", "seal"), ("id", "seal.piv-0"), *items)
    top = (1 << 40) - 1
    items, _ = seal_items(ctx_858, b"\x01", top, sealed_aad(b"\x01", top, APP, LAMP), SET_LEVEL_200)
    vector(("kind", "seal"), ("id", "seal.piv-max"), *items)
    big = 0x0123456789
    items, _ = seal_items(ctx_858, b"\x01", big, sealed_aad(b"\x01", big, APP, LAMP), SET_LEVEL_200)
    vector(("kind", "seal"), ("id", "seal.piv-5-bytes"), *items)

    prose("""
Sender IDs of 7 bytes and of 0 bytes: a request by the node whose Sender ID is `0123456789abcd`
(`sensor@example.org`, reading the `Level` of `lamp@example.org`), and a request by its peer, whose
Sender ID, and so the envelope's `key_id`, is the empty byte string. ID_PIV of length 0 gives the nonce
block `00` followed by twelve bytes in which only the Partial IV is not zero.
""")
    long_id = bytes.fromhex("0123456789abcd")
    items, _ = seal_items(ctx_long, long_id, 42,
                          sealed_aad(long_id, 42, "sensor@example.org", "lamp@example.org"),
                          read_level)
    vector(("kind", "seal"), ("id", "seal.sender-id-7"), *items)
    items, _ = seal_items(ctx_long, b"", 42,
                          sealed_aad(b"", 42, "lamp@example.org", "sensor@example.org"),
                          {"describe": {}})
    vector(("kind", "seal"), ("id", "seal.sender-id-empty"), *items)

    report_200 = {"report": {"endpoint": 1, "capability": 7,
                             "values": [{"member": 0, "value": "18c8"}]}}
    prose("""
Notifications. The app subscribed to the lamp's `Level` with the request `message_id` 1240 sealed under
the §8.5.8 context (Sender ID `01`). A notification is sealed like a reply: its `SealedAad` names the
subscribe request (`request_key_id` `01`, `request_message_id` 1240, the notification's `correlation_id`),
while its nonce is built from the lamp's own Sender ID and `message_id`. First under the same context
(the envelope need not carry `key_id`); then, after a new handshake, under the new context of
[§13.3.1](#vectors-contexts): the nonce and the key are the new context's (Sender ID `03`, which the
envelope carries as `key_id`, [IOTP-SEC-164]), but the `SealedAad` still names the subscribe
request's key identifier `01` of the old context.
""")
    items, _ = seal_items(ctx_858, b"\x02", 78, sealed_aad(b"\x01", 1240, LAMP, APP), report_200)
    vector(("kind", "seal"), ("id", "seal.notification"), *items)
    items, _ = seal_items(ctx_new, b"\x03", 5, sealed_aad(b"\x01", 1240, LAMP, APP), report_200)
    vector(("kind", "seal"), ("id", "seal.notification-new-context"), *items)

    # ---- statements first: the pairing reply carries the lamp's credential statement ----
    statements = build_statements(lamp, controller, app, lamp2, auth)
    credential_json = statements[0]["signed_json"]

    commission = encode("iotp2p.security.CommissionRequest", {"address": LAMP})
    response = encode("iotp2p.security.CommissionResponse", {"credential": credential_json})
    commission_body = {"invoke": {"capability": 1, "action": 13, "input": commission.hex()}}
    response_body = {"invoke_response": {"output": response.hex()}}
    prose("""
The pairing context: the controller's `commission` request (its fourth sealed request, `message_id` 3,
Security action 13 on endpoint 0, assigning the address `lamp@home.example.org`), and the device's reply,
whose output is the device's new credential statement (the `credential` vector of
[§13.5.2](#vectors-statements)). Neither `SealedAad` holds an address ([IOTP-SEC-135]); the
reply's is the example `sec.aad-pairing` of [§8.3.4](08-security.md#sec-pairing-context).
""")
    pair_aad = sealed_aad(b"\x01", 3)
    items, _ = seal_items(ctx_pair, b"\x01", 3, pair_aad, commission_body)
    vector(("kind", "seal"), ("id", "seal.pairing-commission"), *items)
    items, sealed_pair_reply = seal_items(ctx_pair, b"\x00", 3, pair_aad, response_body)
    vector(("kind", "seal"), ("id", "seal.pairing-commission-reply"), *items)

    prose("""
The peer's previous address ([IOTP-SEC-163]): the lamp, re-homed from
`lamp@home.example.org` to `lamp@lamps.example.org`, sealed a notification with its previous address as
`sender` before the move and left the address out of the envelope. The app, which has already bound the
lamp to its new address, fails to open it with that address (`open.previous-sender`, below) and opens it
with the previous one:
""")
    prev_aad = sealed_aad(b"\x01", 1240, LAMP, APP)
    items, sealed_prev = seal_items(ctx_858, b"\x02", 79, prev_aad, report_200)
    vector(("kind", "seal"), ("id", "seal.previous-sender"), *items)

    # ---------------------------------------------------------------------------------------------
    prose("""
<a id="vectors-seal-fail"></a>
### 13.3.3 Envelopes that must not open

A block of kind `open-fail` has the items of a `seal` block from `context` to `nonce`, computed by the
opening node from what it received and what it knows, followed by:

| item | value |
|---|---|
| `id` | the name of the vector (first, as in `seal`) |
| `sealed` | the `sealed` bytes received |
| `failure` | `aead`: the AES-CCM decryption fails (step 3 of [§8.5.6](08-security.md#sec-open)); `body`: it succeeds, but the plaintext is not a `Body` (step 6) |
| `body_error` | with `failure: body` only: the decoding error class ([§4.17](04-wire-format.md#wire-errors)) |

With `failure: aead` the opening node discards the envelope without updating its replay window
([IOTP-SEC-76]). With `failure: body` the decryption succeeded, so the replay window has recorded the
`message_id` (step 4), and the envelope fails at step 6. The Sender ID is that of the context the opener
selected, whose Recipient ID is the envelope's `key_id`.

- `open.recipient-changed`: the request `seal.request-8.5.8` opened by a node whose address is
  `lamp@home.example.net` (a relay delivered it elsewhere): the `recipient` of the `SealedAad` differs.
- `open.pairing-with-address`: the reply `seal.pairing-commission-reply` opened by a controller that put
  the address the device has just taken in `sender`, against [IOTP-SEC-135].
- `open.tampered`: `seal.request-8.5.8` with the lowest bit of the first byte of `sealed` flipped.
- `open.tag-only`: a `sealed` of 8 bytes, the tag alone: here the authentic encryption of an empty
  plaintext under the key, nonce and associated data of `seal.request-8.5.8`. It decrypts, but an empty
  plaintext is no `Body`.
- `open.short`: the first 7 bytes of `open.tag-only`, shorter than a tag.
- `open.wrong-context`: `seal.request-8.5.8` with its `key_id` rewritten from `01` to `07`. The lamp
  selects its context with the other peer, whose Recipient ID is `07`, and builds the nonce and the
  `request_key_id` from `07`.
- `open.previous-sender`: `seal.previous-sender` opened with the lamp's new address as `sender`.
""")
    vector(("kind", "open-fail"), ("id", "open.recipient-changed"),
           *open_fails(ctx_858, b"\x01", 1234,
                       sealed_aad(b"\x01", 1234, APP, "lamp@home.example.net"), sealed_request))
    vector(("kind", "open-fail"), ("id", "open.pairing-with-address"),
           *open_fails(ctx_pair, b"\x00", 3, sealed_aad(b"\x01", 3, LAMP), sealed_pair_reply))
    tampered = bytes([sealed_request[0] ^ 1]) + sealed_request[1:]
    vector(("kind", "open-fail"), ("id", "open.tampered"),
           *open_fails(ctx_858, b"\x01", 1234, sealed_aad(b"\x01", 1234, APP, LAMP), tampered))
    request_aad = enc_structure(encode("iotp2p.security.SealedAad",
                                       sealed_aad(b"\x01", 1234, APP, LAMP)))
    tag_only = AESCCM(ctx_858.key(b"\x01"), tag_length=8).encrypt(
        nonce(ctx_858.common_iv, b"\x01", 1234), b"", request_aad)
    assert len(tag_only) == 8
    items = open_fails(ctx_858, b"\x01", 1234, sealed_aad(b"\x01", 1234, APP, LAMP), tag_only)
    assert items[-1] == ("failure", "body")
    vector(("kind", "open-fail"), ("id", "open.tag-only"), *items, ("body_error", "truncated"))
    vector(("kind", "open-fail"), ("id", "open.short"),
           *open_fails(ctx_858, b"\x01", 1234, sealed_aad(b"\x01", 1234, APP, LAMP), tag_only[:7]))
    vector(("kind", "open-fail"), ("id", "open.wrong-context"),
           *open_fails(ctx_other, b"\x07", 1234, sealed_aad(b"\x07", 1234, APP, LAMP),
                       sealed_request))
    vector(("kind", "open-fail"), ("id", "open.previous-sender"),
           *open_fails(ctx_858, b"\x02", 79, sealed_aad(b"\x01", 1240, LAMP_NEW, APP), sealed_prev))

    prose("""
A block of kind `seal-refused` is an envelope that a node must not seal at all: its `context` and
`sender_id`, the `message_id`, and the `failure`, here `message-id-range`: a `message_id` of 2^40 has no
5-byte Partial IV ([IOTP-SEC-70]).
""")
    try:
        nonce(ctx_858.common_iv, b"\x01", 1 << 40)
    except ValueError:
        pass
    else:
        raise AssertionError("2^40 was accepted")
    vector(("kind", "seal-refused"), ("id", "seal.piv-too-large"), ("context", ctx_858.ident),
           ("sender_id", b"\x01"), ("message_id", 1 << 40), ("failure", "message-id-range"))

    # ---------------------------------------------------------------------------------------------
    prose(f"""
<a id="vectors-node-ids"></a>
## 13.4 Node IDs and authentication credentials

<a id="vectors-node-id"></a>
### 13.4.1 Node IDs

A block of kind `node-id` is an identity key and its node ID, as in
[§8.5.8.1](08-security.md#sec-vectors-node-id), with two more items first: `name`, by which the other
vectors refer to the key, and `d`, the private key (a 32-byte big-endian scalar) from which `x` and `y`
follow. `cose_key` is the deterministic encoding of `{{1: 2, -1: 1, -2: x, -3: y}}`, `node_id` its
SHA-256 hash ([RFC 9679]), and `text` the node ID as written in the `sub` claim of a credential
([§8.2.4](08-security.md#sec-statement-binding)), the `id` parameter of a URI
([§2.7](02-addressing.md#addr-uri)) and the `rid` tag of a TXT record
([§3.2.2](03-resolution-and-delivery.md#dlv-txt)): the base32 encoding of [RFC 4648], section 6, in
lowercase, without padding, 52 characters.

The four keys are those of the signed statements below: the lamp, the owner's controller, the app,
and the lamp's new identity key after a rotation (`lamp-2`). Each `d` is the SHA-256 hash of the text
`iotp2p test key ` followed by the name (for `lamp`, of `iotp2p test key lamp`); that is how they were
chosen, and the vectors give them in full.
""")
    for key in (lamp, controller, app, lamp2):
        vector(("kind", "node-id"), ("name", key.name), ("d", key.d.to_bytes(32, "big")),
               ("x", key.x), ("y", key.y), ("cose_key", key.cose_key), ("node_id", key.node_id),
               ("text", key.text))

    prose("""
<a id="vectors-ccs"></a>
### 13.4.2 Authentication credentials

A block of kind `ccs` is a P-256 authentication credential ([§8.2.2](08-security.md#sec-credential)): the
`owner` (the `name` of a `node-id` vector), the static Diffie-Hellman key (`d`, `x`, `y`, derived like the
identity keys from the text `iotp2p test auth key ` followed by the owner's name), the `kid`, and `ccs`,
the deterministic encoding of the CWT Claims Set `{2: sub, 8: {1: {1: 2, 2: kid, -1: 1, -2: x, -3: y}}}`
(137 bytes), whose `sub` is the `text` of the owner's node ID ([IOTP-SEC-127]).
""")
    for name, kid in (("lamp", b"\x05"), ("controller", b"\x07"), ("app", b"\x0a")):
        a = auth[name]
        vector(("kind", "ccs"), ("owner", name), ("d", a.d.to_bytes(32, "big")), ("x", a.x),
               ("y", a.y), ("kid", kid), ("ccs", ccs(keys[name], a, kid)))

    # ---------------------------------------------------------------------------------------------
    prose("""
<a id="vectors-signatures"></a>
## 13.5 Signed statements

<a id="vectors-ecdsa"></a>
### 13.5.1 ES256 with deterministic nonces

[IOTP-SEC-4] recommends that signers derive the ECDSA nonce as [RFC 6979] specifies; the signature
vectors of this chapter are reproducible because they do. A block of kind `ecdsa` checks that an
implementation's deterministic signing is RFC 6979's: the private key `d`, the `message` (bytes), and
the `signature` (r followed by s, 32 bytes each) of ECDSA on P-256 with SHA-256. The two blocks are the
ones of [RFC 6979], appendix A.2.5, for the messages `sample` and `test`.
""")
    rfc_key = Key("rfc6979", 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721)
    for message in (b"sample", b"test"):
        vector(("kind", "ecdsa"), ("d", rfc_key.d.to_bytes(32, "big")), ("message", message),
               ("signature", rfc_key.sign(message)))

    prose("""
<a id="vectors-statements"></a>
### 13.5.2 Statements

A block of kind `signed-statement` is one `SignedStatement` of each kind of the table of
[§8.2.3](08-security.md#sec-statements):

| item | value |
|---|---|
| `id` | the name of the vector |
| `statement` | the kind: `credential`, `rehoming`, `key_rotation`, `revocation` or `introduction` |
| `payload_json`, `payload` | the `Statement`, in canonical JSON and encoded: the `payload` of the `SignedStatement` |
| `sig_structure` | the deterministic encoding of the Sig_structure `["Signature1", h'a10126', h'', payload]` ([RFC 9052], section 4.4), which every signature signs |
| `signer_1`, `signature_1` | the `name` of the first signer's `node-id` vector, and its signature (r followed by s) |
| `signer_2`, `signature_2` | the same for the second signature, where the kind has one |
| `signed_statement` | the encoded `SignedStatement`: the payload and the signatures, each with its signer's node ID |

The signatures are ES256 with the nonces of [RFC 6979]: signing `sig_structure` again with the same key
gives the same bytes. The statements:

- `credential`: the lamp's credential statement after its commissioning (address `lamp@home.example.org`,
  its authentication credential of [§13.4.2](#vectors-ccs), serial 1, cipher suite 2), signed by the
  lamp's own identity key;
- `rehoming` and `rehoming-countersigned`: the lamp moves to `lamp@lamps.example.org` (sequence 1, the
  default grace period), signed by the lamp, and by the lamp and then the controller, an administrator of
  the lamp;
- `key_rotation`: the lamp replaces its identity key by `lamp-2`, signed by the previous key and then the
  new one;
- `revocation`: the controller, an administrator of the lamp, revokes the app (reason `KeyCompromise`);
- `introduction`: the controller introduces the app to the lamp (read, invoke and subscribe on endpoint
  1, introduction serial 1, valid for seven days), as in [§8.8.4.1](08-security.md#sec-introduction).
""")
    for st in statements:
        items = [("kind", "signed-statement"), ("id", st["id"]), ("statement", st["kind"]),
                 ("payload_json", one_line(st["payload_json"])), ("payload", st["payload"]),
                 ("sig_structure", st["sig_structure"])]
        for n, (signer, value) in enumerate(st["signatures"], start=1):
            items += [(f"signer_{n}", signer.name), (f"signature_{n}", value)]
        items.append(("signed_statement", st["signed"]))
        vector(*items)

    prose("""
<a id="vectors-statements-fail"></a>
### 13.5.3 Statements that must be refused

A block of kind `statement-fail` has the items of a `signed-statement` block, as the receiver gets them
(`sig_structure` is the one the receiver builds from the `payload` it received), followed by `failure`,
the check of [§8.2.3](08-security.md#sec-statements) or [§8.2.4](08-security.md#sec-statement-binding)
that refuses it:

| `failure` | the statement is refused because |
|---|---|
| `signature` | a signature does not verify over the received payload with its signer's key ([IOTP-SEC-13]) |
| `signers` | every signature verifies, but the signers differ in number, order or identity from the row of the statement's kind ([IOTP-SEC-14]) |
| `ccs-sub` | every signature verifies, but an authentication credential's `sub` is not the node ID of the statement's `identity_key` ([IOTP-SEC-128]) |

- `refuse.payload-changed`: the payload of `rehoming` with its `new_address` replaced by
  `lamp@evil.example.net` after signing, with the lamp's signature of the original payload;
- `refuse.swapped-signatures`: `key_rotation` with its two signatures in the wrong order, the new key's
  first; both verify;
- `refuse.ccs-other-node`: a credential statement of the lamp, signed by the lamp, holding the app's
  authentication credential, whose `sub` names the app.
""")
    for ident, kind, payload_json, signatures, failure in statement_failures(statements, keys, auth):
        payload = encode("iotp2p.security.Statement", payload_json)
        structure = sig_structure(payload)
        signed = encode("iotp2p.security.SignedStatement", {
            "payload": payload.hex(),
            "signatures": [{"signer": k.node_id.hex(), "value": v.hex()} for k, v in signatures]})
        items = [("kind", "statement-fail"), ("id", ident), ("statement", kind),
                 ("payload_json", one_line(payload_json)), ("payload", payload),
                 ("sig_structure", structure)]
        for n, (signer, value) in enumerate(signatures, start=1):
            items += [(f"signer_{n}", signer.name), (f"signature_{n}", value)]
        items += [("signed_statement", signed), ("failure", failure)]
        vector(*items)

    # ---------------------------------------------------------------------------------------------
    codes = [("000", "00000001"), ("001", "00000001"), ("000", "01000000"), ("012", "00345678"),
             ("123", "45678901"), ("318", "40617352"), ("742", "69414237"), ("500", "00000005"),
             ("999", "99999998"), ("007", "31415926")]
    rows = []
    blocks = []
    for disc, passcode in codes:
        digits = disc + passcode
        check = verhoeff_check(digits)
        ltr = verhoeff_check_left_to_right(digits)
        code = digits + str(check)
        assert verhoeff_valid(code)
        rows.append(f"| {disc} | {passcode} | {check} | `{code[0:4]} {code[4:8]} {code[8:12]}` | "
                    f"{ltr}{'' if ltr != check else ' (the same)'} |")
        blocks.append((digits, check, code, ltr))
    example = next(b for b in blocks if b[0] == "74269414237")
    assert example[1] != example[3]

    prose(f"""
<a id="vectors-verhoeff"></a>
## 13.6 Check digits of manual pairing codes

The check digit of a manual pairing code is computed as [§8.3.1](08-security.md#sec-setup-code)
specifies: the digits from right to left, the rightmost at position 1, and the check digit appended at the
right. The last column gives the digit that the mistaken variant gives, which takes the digits from left
to right with the leftmost at position 1: for most codes it differs, so an implementation that processes
the digits in the wrong order fails these vectors. For the eleven digits `{example[0]}` of the example of
§8.3.1 it gives {example[3]} instead of {example[1]}.

| discriminator | passcode | check digit | manual pairing code | left to right (wrong) |
|---|---|---|---|---|
""" + "\n".join(rows) + """

A block of kind `verhoeff` gives the eleven `digits` (discriminator and passcode), the `check` digit, the
twelve-digit `code`, and `left_to_right`, the digit of the mistaken variant. A block of kind
`verhoeff-invalid` gives a `code` whose check fails, and the `error` made: `digit` (one digit changed) or
`transposition` (two adjacent digits swapped, the check digit included). A controller rejects each of them
([IOTP-SEC-24]).
""")
    for digits, check, code, ltr in blocks:
        vector(("kind", "verhoeff"), ("digits", digits), ("check", check), ("code", code),
               ("left_to_right", ltr))
    invalid = []
    base = "742694142372"
    for pos, new in ((0, "1"), (5, "0"), (11, "3")):
        invalid.append((base[:pos] + new + base[pos + 1:], "digit"))
    for pos in (2, 10):
        swapped = base[:pos] + base[pos + 1] + base[pos] + base[pos + 2:]
        assert swapped != base
        invalid.append((swapped, "transposition"))
    for code, error in invalid:
        assert not verhoeff_valid(code), code
        vector(("kind", "verhoeff-invalid"), ("code", code), ("error", error))

    prose("""
<a id="vectors-references"></a>
## 13.7 References

- [RFC 4648] Josefsson, S., "The Base16, Base32, and Base64 Data Encodings".
- [RFC 6979] Pornin, T., "Deterministic Usage of the Digital Signature Algorithm (DSA) and Elliptic Curve Digital Signature Algorithm (ECDSA)".
- [RFC 8613] Selander, G., et al., "Object Security for Constrained RESTful Environments (OSCORE)".
- [RFC 9052] Schaad, J., "CBOR Object Signing and Encryption (COSE): Structures and Process", STD 96.
- [RFC 9679] Isobe, K., Tschofenig, H., Steele, O., "CBOR Object Signing and Encryption (COSE) Key Thumbprint".
""")


def build_statements(lamp, controller, app, lamp2, auth):
    """The signed statements of section 13.5.2, in chapter order; the credential first."""
    issued = 1796119200000  # 2026-12-01T10:00:00Z
    out = []

    def add(ident, kind, body, signers):
        payload_json = {kind: body}
        payload = encode("iotp2p.security.Statement", payload_json)
        structure = sig_structure(payload)
        signatures = [(s, s.sign(structure)) for s in signers]
        signed_json = {"payload": payload.hex(),
                       "signatures": [{"signer": s.node_id.hex(), "value": v.hex()}
                                      for s, v in signatures]}
        signed = encode("iotp2p.security.SignedStatement", signed_json)
        for s, v in signatures:  # the generator verifies its own signatures too
            s.private.public_key().verify(
                _der(v), structure, ec.ECDSA(hashes.SHA256()))
        out.append({"id": ident, "kind": kind, "payload_json": payload_json, "payload": payload,
                    "sig_structure": structure, "signatures": signatures, "signed": signed,
                    "signed_json": signed_json})

    add("credential", "credential", {
        "identity_key": lamp.public_json(),
        "address": LAMP,
        "auth_credentials": [ccs(lamp, auth["lamp"], b"\x05").hex()],
        "serial": 1,
        "suites": [2],
        "issued_at": issued,
    }, [lamp])
    rehoming = {"node": lamp.node_id.hex(), "previous_address": LAMP, "new_address": LAMP_NEW,
                "sequence": 1, "issued_at": issued + 3600000}
    add("rehoming", "rehoming", rehoming, [lamp])
    add("rehoming-countersigned", "rehoming", rehoming, [lamp, controller])
    add("key_rotation", "key_rotation", {
        "previous_node": lamp.node_id.hex(),
        "new_identity_key": lamp2.public_json(),
        "issued_at": issued + 7200000,
    }, [lamp, lamp2])
    add("revocation", "revocation", {
        "node": app.node_id.hex(), "reason": "KeyCompromise", "issued_at": issued + 10800000,
    }, [controller])
    add("introduction", "introduction", {
        "subject": lamp.node_id.hex(),
        "subject_address": LAMP,
        "audience": app.node_id.hex(),
        "privileges": 13,
        "targets": [{"endpoint": 1}],
        "serial": 1,
        "not_after": issued + 7 * 86400000,
        "issued_at": issued,
    }, [controller])
    return out


def statement_failures(statements, keys, auth):
    """The refused statements of section 13.5.3: (id, kind, payload JSON, signatures, failure)."""
    by_id = {st["id"]: st for st in statements}
    lamp, app = keys["lamp"], keys["app"]

    def verifies(key, value, payload):
        try:
            key.private.public_key().verify(_der(value), sig_structure(payload),
                                            ec.ECDSA(hashes.SHA256()))
            return True
        except Exception:  # cryptography.exceptions.InvalidSignature
            return False

    out = []
    rehoming = by_id["rehoming"]
    changed = json.loads(json.dumps(rehoming["payload_json"]))
    changed["rehoming"]["new_address"] = "lamp@evil.example.net"
    assert not verifies(lamp, rehoming["signatures"][0][1],
                        encode("iotp2p.security.Statement", changed))
    out.append(("refuse.payload-changed", "rehoming", changed, rehoming["signatures"], "signature"))

    rotation = by_id["key_rotation"]
    swapped = list(reversed(rotation["signatures"]))
    assert all(verifies(k, v, rotation["payload"]) for k, v in swapped)
    out.append(("refuse.swapped-signatures", "key_rotation", rotation["payload_json"], swapped,
                "signers"))

    credential = json.loads(json.dumps(by_id["credential"]["payload_json"]))
    credential["credential"]["auth_credentials"] = [ccs(app, auth["app"], b"\x0a").hex()]
    payload = encode("iotp2p.security.Statement", credential)
    out.append(("refuse.ccs-other-node", "credential", credential,
                [(lamp, lamp.sign(sig_structure(payload)))], "ccs-sub"))
    return out


def _der(raw):
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))

if __name__ == "__main__":
    main()
