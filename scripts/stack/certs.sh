#!/usr/bin/env bash
# The certificates and keys of the stack's secure listeners, made with openssl into DIR (once:
# a file that exists is kept, so restarting the stack does not change what clients trust).
#
#   ca.pem, ca.key             the stack's CA (self-signed, X.509 v3, CA:TRUE)
#   server.pem, server.key     127.0.0.1 and localhost (serverAuth), signed by ca.pem
#   server-keystore.pem        server.key + server.pem: Kafka's PEM keystore (KIP-651)
#   server.p12                 the same as PKCS#12 (password `venice-stack`) for Connect's Jetty
#   client.pem, client.key     CN=venice (clientAuth), signed by ca.pem: the mTLS login
#   expired.pem, expired.key   CN=venice, signed by ca.pem, already expired
#   other-ca.pem               a CA that signed nothing here (an "unknown certificate")
#   oauth.key, jwks.json       the RSA key OAuth tokens are signed with (RS256) and its public
#                              half as a JWKS (kid `venice-stack`), which the broker reads
#
# Every certificate is v3: rustls (webpki) refuses v1 certificates, which `openssl x509 -req`
# makes unless given extensions. Keys are PKCS#8 PEM (openssl genpkey's form), which both Kafka's
# PEM keystore and venice read.
#
# Usage: certs.sh DIR
set -euo pipefail

DIR=$1
mkdir -p "$DIR"
cd "$DIR"

quiet() { "$@" >/dev/null 2>&1 || { "$@" >&2; exit 1; }; }

new_key() { [ -f "$1" ] || quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# A self-signed CA certificate NAME.pem for NAME.key.
new_ca() {
    new_key "$1.key"
    [ -f "$1.pem" ] || quiet openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# A certificate NAME.pem for NAME.key, signed by ca.pem: SUBJECT, DAYS, then extension lines.
new_cert() {
    local name=$1 subject=$2 days=$3
    shift 3
    [ -f "$name.pem" ] && return 0
    new_key "$name.key"
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "$@" >"$name.ext"
    quiet openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
    quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" \
        -extfile "$name.ext" -out "$name.pem"
    rm -f "$name.csr" "$name.ext"
}

new_ca ca "venice-stack CA"
new_ca other-ca "not the venice-stack CA"
rm -f other-ca.key
new_cert server "/CN=venice-stack" 3650 "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost"
new_cert client "/CN=venice" 3650 "extendedKeyUsage=clientAuth"
# -days -1: valid from now until yesterday, i.e. expired from the start.
new_cert expired "/CN=venice" -1 "extendedKeyUsage=clientAuth"
[ -f server-keystore.pem ] || cat server.key server.pem >server-keystore.pem
[ -f server.p12 ] || quiet openssl pkcs12 -export -in server.pem -inkey server.key -name server \
    -passout pass:venice-stack -out server.p12

new_key oauth.key
if [ ! -f jwks.json ]; then
    modulus=$(openssl rsa -in oauth.key -noout -modulus | sed 's/^Modulus=//')
    python3 - "$modulus" >jwks.json <<'EOF'
import base64, json, sys
def b64(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
key = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "venice-stack",
       "n": b64(int(sys.argv[1], 16)), "e": b64(65537)}
print(json.dumps({"keys": [key]}))
EOF
fi
