#!/usr/bin/python3
"""Bearer scenario material for make bench: an ES256 key as a JWKS file, a pool of
distinct access tokens (one per line) and a wrk script that sends the next token of
the pool with every request, so each request pays a signature check, not a cache hit.

usage: mint_tokens.py OUT_DIR ISSUER COUNT
Writes OUT_DIR/jwks.json, OUT_DIR/tokens.txt, OUT_DIR/fresh_token.lua.
Runs with Debian's python3 (python3-jwt, python3-cryptography).
"""
import base64
import json
import os
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(n):
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def main():
    out, issuer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    key = ec.generate_private_key(ec.SECP256R1())
    pub = key.public_key().public_numbers()
    jwk = dict(kty="EC", crv="P-256", x=b64u(pub.x), y=b64u(pub.y), kid="bench", alg="ES256", use="sig")
    with open(os.path.join(out, "jwks.json"), "w") as f:
        json.dump({"keys": [jwk]}, f)
    now = int(time.time())
    with open(os.path.join(out, "tokens.txt"), "w") as f:
        for i in range(count):
            claims = dict(iss=issuer, aud="api", sub=f"user{i % 100}", scope="read", iat=now, exp=now + 3600,
                          jti=f"bench-{i}")
            f.write(jwt.encode(claims, key, algorithm="ES256", headers={"kid": "bench"}) + "\n")
    # wrk's Lua: one state per thread; the pool is read once in init().
    with open(os.path.join(out, "fresh_token.lua"), "w") as f:
        f.write(f"""local tokens, i = {{}}, 0
function init(args)
  for line in io.lines("{os.path.join(out, 'tokens.txt')}") do tokens[#tokens + 1] = "Bearer " .. line end
end
function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, {{ Authorization = tokens[i] }})
end
""")


if __name__ == "__main__":
    main()
