#!/usr/bin/env python3
r"""Writes the malformed-project corpus of tests/robustness.rs.

Every folder `NNN-short-name/` here is one project that `venice check` must reject cleanly: exit
status 1, at least one diagnostic, no panic, no hang. This script is the source of truth for the
corpus: it deletes the numbered folders and writes them again, deterministically (fixed seeds,
no clock, no environment), so a re-run changes nothing unless the script changed.

    python3 tests/malformed/generate.py

The truly huge inputs (a 5 MB string, 100000 levels of nesting, a 4000-file include chain, ...)
are not committed: tests/robustness.rs makes them in a temporary folder at run time.

Only inputs that are really invalid belong here. For the record, these exit 0 and are therefore
left out: an empty venice.kdl, one holding only whitespace or comments, a UTF-8 BOM alone, an
include of an empty file, a line continuation `\` at the end of the file (valid KDL v2), a DEL
character (U+007F) in a node argument (KDL v2 disallows it, but kdl-rs 6.7 accepts it), control
characters in ksqlDB text (the V301 tokenizer accepts them), and schema or transform paths
naming an empty file.
"""

import os
import random
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "examples")

CASES = []  # (name, {relative path: bytes})


def case(name, kdl=None, **files):
    """Adds a case. `kdl` is venice.kdl (str or bytes); `files` maps other paths (with `__` for
    `/` and `_dot_` for `.`) to their content. None as a file content makes nothing (a folder
    is made by naming a file inside it)."""
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), name
    contents = {}
    if kdl is not None:
        contents["venice.kdl"] = kdl
    for key, value in files.items():
        contents[key.replace("__", "/").replace("_dot_", ".")] = value
    case_files(name, contents)


def case_files(name, contents):
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), name
    assert all(c[0] != name for c in CASES), f"duplicate case name {name}"
    CASES.append((name, {p: as_bytes(v) for p, v in contents.items()}))


def as_bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def example(name):
    """The files of an example project, venice.kdl first."""
    root = os.path.join(EXAMPLES, name)
    files = {}
    for folder, _, names in sorted(os.walk(root)):
        for n in sorted(names):
            if n == "README.md":
                continue
            full = os.path.join(folder, n)
            files[os.path.relpath(full, root).replace(os.sep, "/")] = read(full)
    return files


# ---------------------------------------------------------------------------------------------
# A small valid project that uses nearly every node, property and child of the grammar. Each
# "mutation" case below changes one thing in it, so that thing is the only error.

MINI = r'''project mini doc="A valid base for the mutation cases"
stack {
    kafka brokers=1 mode=kraft
    schema-registry
    ksqldb version="0.29.0"
    connect {
        plugin jdbc
        plugin debezium-postgres
    }
    postgres
    ui kafdrop
}
target local
target staging {
    kafka "broker-1:9092" "broker-2:9092"
    schema-registry "https://sr.example.com" {
        user env=SR_USER
        password env=SR_PASSWORD
    }
    connect "https://connect.example.com"
    ksqldb "https://ksqldb.example.com" {
        token file="secrets/ksql-token"
    }
}
database shop kind=postgres {
    host postgres port=5432
    name shop
    user venice
    password env=POSTGRES_PASSWORD
}
schema Order avro=#"{"type": "record", "name": "Order", "fields": [{"name": "ID", "type": "string"}]}"#
topic orders partitions=3 replication=1 {
    key string
    value avro schema=Order
    compatibility backward
    retention "7d"
    cleanup delete
    config "min.insync.replicas" "1"
}
topic cdc.orders partitions=1 replication=1 {
    key avro
    value avro
}
producer web-app topic=orders doc="The web front end" {
    key string
    value avro schema=Order
}
consumer fulfillment topic=orders group=fulfillment {
    key string
    value avro schema=Order
}
consumer audit topic=cdc.orders {
    key avro
    value avro
}
source orders-cdc connector=debezium-postgres {
    database shop
    table "public.orders" topic=cdc.orders
    unwrap #true
    key avro
    value avro
    config "snapshot.mode" "initial"
}
stream orders_s topic=orders key-column=ID
transform upper {
    sql "CREATE STREAM upper_orders AS SELECT * FROM orders_s EMIT CHANGES;"
}
sink orders-to-postgres connector=jdbc topic=orders {
    database shop
    table orders
    mode upsert
    pk record-key fields=ID
    deletes #true
    key string
    value avro
}
'''


def mutate(name, old, new, count=1, base=MINI, **files):
    assert base.count(old) >= 1, f"{name}: `{old}` not in the base"
    case(name, base.replace(old, new, count), **files)


# ---------------------------------------------------------------------------------------------
# 1. Truncated files.


def scan(text):
    """For each offset, whether a cut there leaves an unclosed block or string, or a dangling
    `=`: any of which makes the rest invalid KDL."""
    states = []
    depth, in_string, line_comment, i = 0, False, False, 0
    while i < len(text):
        c = text[i]
        states.append(depth > 0 or in_string or (i > 0 and text[i - 1] == "="))
        if line_comment:
            line_comment = c != "\n"
        elif in_string:
            if c == "\\":
                states.append(True)
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c == "/" and text[i + 1 : i + 2] == "/":
            line_comment = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    return states


def example_cut(name, example_name, kdl_text):
    """A case that is an example with its venice.kdl cut short. Only venice.kdl is written, with
    `side-files-from` naming the example: tests/robustness.rs copies the example's other files
    (schemas, SQL, DDL, venice.lock) beside it when it runs the case, so they are not copied
    into the repository once per case."""
    case_files(name, {"venice.kdl": kdl_text.encode("utf-8"), "side-files-from": f"examples/{example_name}\n"})


def truncations(example_name, short, pieces):
    text = example(example_name)["venice.kdl"].decode("utf-8")
    states = scan(text)
    used = set()
    for k in range(1, pieces + 1):
        offset = len(text) * k // (pieces + 1)
        while not states[offset] or offset in used:
            offset += 1
        used.add(offset)
        example_cut(f"trunc-{short}-at-{offset}", example_name, text[:offset])


def cut_after(name, example_name, marker, extra=0, occurrence=1):
    """The example cut `extra` characters after the end of the given occurrence of `marker`."""
    text = example(example_name)["venice.kdl"].decode("utf-8")
    at = -1
    for _ in range(occurrence):
        at = text.index(marker, at + 1)
    example_cut(name, example_name, text[: at + len(marker) + extra])


def cut_mini(name, marker, extra=0):
    at = MINI.index(marker)
    case(name, MINI[: at + len(marker) + extra])


truncations("shop", "shop", 12)
truncations("bus-locations", "bus", 10)
truncations("cdc", "cdc", 10)

cut_after("trunc-mid-doc-string", "shop", 'doc="Orders from')
cut_after("trunc-mid-block-stack", "shop", "kafka brokers=1 mode=kraft\n")
cut_after("trunc-mid-property-value", "shop", "partitions=")
cut_after("trunc-mid-property-name", "shop", "topic orders partiti")
cut_after("trunc-mid-keyword", "cdc", "unwrap #tr", occurrence=2)
cut_after("trunc-mid-line-comment-in-block", "cdc", "// read the existing")
cut_after("trunc-before-last-brace", "cdc", "    value avro\n", occurrence=3)
cut_after("trunc-mid-version-string", "shop", 'version="0.2')
cut_after("trunc-after-open-brace", "bus-locations", "connect {")
cut_after("trunc-mid-quoted-name", "cdc", 'table "public.ord')
cut_mini("trunc-mid-raw-string", 'avro=#"{"type": "rec')
cut_mini("trunc-raw-string-missing-hash", 'avro=#"{"type": "record", "name": "Order", "fields": [{"name": "ID", "type": "string"}]}"')
case("trunc-mid-multiline-string", 'project x\ntransform t {\n    sql """\n        CREATE STREAM s AS\n')
case("trunc-mid-raw-multiline-string", 'project x\ntransform t {\n    sql #"""\n        SELECT "x" FROM y\n    """')
case("trunc-mid-escape", 'project "caf\\u{e')
case("trunc-mid-type-annotation-paren", "project x\ntopic orders partitions=(u")
case("trunc-mid-block-comment", "project x\n/* a comment that never\nends")
case("trunc-mid-slashdash", "project x\ntopic orders /-")
case("trunc-mid-children-of-children", "project x\nstack {\n    connect {\n        plugin jdbc\n")

# ---------------------------------------------------------------------------------------------
# 2. Wrong value types, one at a time, in the otherwise valid MINI.

for name, old, new in [
    ("type-partitions-string", "partitions=3", 'partitions="3"'),
    ("type-partitions-bool", "partitions=3", "partitions=#true"),
    ("type-partitions-float", "partitions=3", "partitions=3.5"),
    ("type-partitions-null", "partitions=3", "partitions=#null"),
    ("type-partitions-inf", "partitions=3", "partitions=#inf"),
    ("type-partitions-minus-inf", "partitions=3", "partitions=#-inf"),
    ("type-partitions-nan", "partitions=3", "partitions=#nan"),
    ("type-partitions-negative", "partitions=3", "partitions=-3"),
    ("type-partitions-zero", "partitions=3", "partitions=0"),
    ("type-partitions-huge", "partitions=3", "partitions=99999999999999999999999"),
    ("type-partitions-huge-hex", "partitions=3", "partitions=0x7fffffffffffffffffffffffffffffffffffffff"),
    ("type-partitions-underscored", "partitions=3", "partitions=1_000_000_000_000"),
    ("type-partitions-exponent", "partitions=3", "partitions=1e5"),
    ("type-replication-word", "replication=1", 'replication="one"'),
    ("type-brokers-string", "brokers=1", 'brokers="1"'),
    ("type-brokers-huge", "brokers=1", "brokers=99999999999999999999999"),
    ("type-brokers-negative", "brokers=1", "brokers=-1"),
    ("type-brokers-i64-min", "brokers=1", "brokers=-9223372036854775808"),
    ("type-mode-bool", "mode=kraft", "mode=#true"),
    ("type-mode-integer", "mode=kraft", "mode=1"),
    ("type-mode-unknown-word", "mode=kraft", "mode=raft"),
    ("type-port-string", "port=5432", 'port="5432"'),
    ("type-port-too-big", "port=5432", "port=99999"),
    ("type-port-negative", "port=5432", "port=-1"),
    ("type-port-float", "port=5432", "port=1e3"),
    ("type-project-name-integer", "project mini", "project 42"),
    ("type-topic-name-integer", "topic orders", "topic 42"),
    ("type-topic-name-null", "topic orders", "topic #null"),
    ("type-key-integer", "    key string\n    value avro schema=Order\n    compat", "    key 5\n    value avro schema=Order\n    compat"),
    ("type-value-bool", "value avro schema=Order\n    compat", "value #false schema=Order\n    compat"),
    ("type-serde-unknown-word", "value avro schema=Order\n    compat", "value avro2 schema=Order\n    compat"),
    ("type-schema-avro-integer", 'avro=#"{"type": "record", "name": "Order", "fields": [{"name": "ID", "type": "string"}]}"#', "avro=5"),
    ("type-unwrap-string", "unwrap #true", 'unwrap "yes"'),
    ("type-unwrap-integer", "unwrap #true", "unwrap 1"),
    ("type-deletes-null", "deletes #true", "deletes #null"),
    ("type-version-float", 'version="0.29.0"', "version=0.29"),
    ("type-config-integers", 'config "min.insync.replicas" "1"', "config 1 2"),
    ("type-doc-integer", "project mini doc=", "project mini doc=5 x="),
    ("type-key-column-inf", "key-column=ID", "key-column=#inf"),
    ("type-stream-topic-integer", "stream orders_s topic=orders", "stream orders_s topic=5"),
    ("type-pk-fields-bool", "fields=ID", "fields=#true"),
    ("type-target-name-integer", "target local", "target 1"),
    ("type-ui-integer", "ui kafdrop", "ui 5"),
    ("type-ui-unknown-word", "ui kafdrop", "ui grafana"),
    ("type-plugin-bool", "plugin jdbc", "plugin #true"),
    ("type-retention-integer", 'retention "7d"', "retention 7"),
    ("type-retention-bad-unit", 'retention "7d"', 'retention "7x"'),
    ("type-retention-negative", 'retention "7d"', 'retention "-7d"'),
    ("type-cleanup-integer", "cleanup delete", "cleanup 3"),
    ("type-compatibility-null", "compatibility backward", "compatibility #null"),
    ("type-sink-mode-integer", "mode upsert", "mode 1"),
    ("type-user-integer", "user venice", "user 5"),
    ("type-password-env-integer", "password env=POSTGRES_PASSWORD", "password env=5"),
    ("type-group-hex", "group=fulfillment", "group=-0x10"),
    ("type-sql-integer", 'sql "CREATE STREAM upper_orders AS SELECT * FROM orders_s EMIT CHANGES;"', "sql 42"),
    ("type-table-topic-and-ddl-integers", 'table "public.orders" topic=cdc.orders', 'table "public.orders" topic=1 ddl=2'),
    ("type-db-name-float", "name shop", "name 1.5e300"),
    ("type-db-kind-unknown", "kind=postgres", "kind=mysql"),
    ("type-db-kind-bool", "kind=postgres", "kind=#false"),
    ("type-connector-unknown", "connector=jdbc", "connector=jdbc2"),
    ("type-target-kafka-integer", '"broker-1:9092" "broker-2:9092"', '"broker-1:9092" 9092'),
    ("type-endpoint-url-null", 'connect "https://connect.example.com"', "connect #null"),
    ("type-token-file-bool", 'token file="secrets/ksql-token"', "token file=#true"),
]:
    mutate(name, old, new)

# Type annotations: on every node name and value, then with a wrong type under the annotation.
annotated = re.sub(r"(?m)^(\s*)([a-z])", r"\1(t)\2", MINI)
annotated = re.sub(r'=(?=[^ ])', "=(u8)", annotated)
case("annotation-everywhere-with-string-partitions", annotated.replace("partitions=(u8)3", 'partitions=(u8)"3"'))
mutate("annotation-string-for-integer", "partitions=3", 'partitions=(i32)"3"')
mutate("annotation-unclosed", "partitions=3", "partitions=(u8 3")
mutate("annotation-empty", "partitions=3", "partitions=()3")
mutate("annotation-twice", "partitions=3", "partitions=(u8)(u8)3")
mutate("annotation-on-property-name", "partitions=3", "(u8)partitions=3")
mutate("annotation-on-children-block", "topic orders partitions=3 replication=1 {", "topic orders partitions=3 replication=1 (t){")
mutate("annotation-with-number-type", "partitions=3", "partitions=(123)3")
mutate("annotation-alone", "partitions=3", "(u8)")

# ---------------------------------------------------------------------------------------------
# 3. Unknown nodes and properties, at each level.

for name, old, new in [
    ("unknown-top-level-node", "project mini", "project mini\ntopics orders"),
    ("unknown-top-level-kafka", "project mini", "project mini\nkafka brokers=3"),
    ("unknown-topic-property", "partitions=3", "partition=3"),
    ("unknown-topic-child", "    cleanup delete\n", "    cleanup delete\n    keys string\n"),
    ("unknown-stack-child", "    postgres\n", "    postgres\n    zookeeper\n"),
    ("unknown-kafka-property", "brokers=1", "broker=1"),
    ("unknown-children-on-leaf", "kafka brokers=1 mode=kraft", "kafka brokers=1 mode=kraft { x }"),
    ("unknown-connect-child", "plugin jdbc\n", "plugins jdbc\n"),
    ("unknown-database-property", "kind=postgres", "kind=postgres flavor=x"),
    ("unknown-sink-child", "    deletes #true\n", "    deletes #true\n    topic orders\n"),
    ("unknown-stack-argument", "stack {", 'stack "local" {'),
    ("unknown-target-child", '    connect "https://connect.example.com"\n', '    connect "https://connect.example.com"\n    registry "x"\n'),
    ("unknown-endpoint-child", "        user env=SR_USER\n", "        pass env=SR_USER\n"),
    ("unknown-table-property", "topic=cdc.orders\n", "topic=cdc.orders ddl2=\"x.sql\"\n"),
    ("unknown-property-on-leaf", "    schema-registry\n    ksqldb", "    schema-registry port=8081\n    ksqldb"),
    ("unknown-grandchild", "plugin jdbc\n", "plugin jdbc {\n            version 1\n        }\n"),
    ("unknown-cyrillic-node", "project mini", "project mini\nтема orders"),
    ("unknown-empty-node-name", "project mini", 'project mini\n"" 1'),
    ("unknown-property-on-project", "project mini", "project mini version=2"),
    ("unknown-extra-argument", "stream orders_s topic=orders", "stream orders_s extra topic=orders"),
    ("unknown-children-on-stream", "stream orders_s topic=orders key-column=ID", "stream orders_s topic=orders key-column=ID {\n    columns 3\n}"),
    ("unknown-sql-child-property", 'sql "CREATE', 'sql dialect=ansi "CREATE'),
]:
    mutate(name, old, new)

# ---------------------------------------------------------------------------------------------
# 4. Deep nesting. The loader refuses more than 64 levels before parsing; the cases named
# `hidden` hide the depth from that guard behind a quote or a closing brace that is inside a
# comment or a raw string (and so reach the recursive KDL parser).

case("nest-65-closed", "project x\n" + "a {" * 65 + "}" * 65 + "\n")
case("nest-100-unclosed", "a {" * 100)
case("nest-1000-unclosed", "a {" * 1000)
case("nest-100-closed-in-stack", "stack {\n" + "a {" * 100 + "}" * 101 + "\n")
case("nest-1000-closed", "a {" * 1000 + "}" * 1000 + "\n")
case("nest-1000-no-space", "a{" * 1000 + "}" * 1000 + "\n")
case("nest-1000-semicolons", "a;{" * 1000)
case("nest-hidden-by-quote-in-block-comment", '/* " */\n' + "a {" * 1000 + "}" * 1000 + "\n")
case("nest-hidden-by-raw-string-backslash", 'project #"C:\\"#\n' + "a {" * 1000 + "}" * 1000 + "\n")
case("nest-hidden-by-quote-in-raw-string", 'project #"say "hi"#\n' + "a {" * 1000 + "}" * 1000 + "\n")
case("nest-hidden-by-braces-in-block-comments", ("a {" * 60 + "/* " + "} " * 60 + "*/\n") * 20 + "}" * 1200 + "\n")
case("nest-block-comments-5000", "project x\ntopics y\n" + "/*" * 5000 + "*/" * 5000 + "\n")
case("block-comment-5000-stars", "project x\ntopics y\n/*" + " *" * 5000 + " */\n")
case("block-comment-javadoc-2000-lines", "project x\ntopics y\n/**\n" + " * a line of documentation\n" * 2000 + " */\n")

# ---------------------------------------------------------------------------------------------
# 5. Invalid UTF-8, binary junk, control characters.

case("utf8-lone-continuation", b'project x doc="\x80"\n')
case("utf8-overlong-slash", b"project x\ninclude \"\xc0\xaf\"\n")
case("utf8-surrogate", b'project "\xed\xa0\x80"\n')
case("utf8-truncated-at-eof", b"project x\ntopic \xe2\x82")
case("utf8-latin1", b"project caf\xe9\n")
case("utf16le-with-bom", b"\xff\xfe" + "project x\n".encode("utf-16-le"))
case("utf16be-no-bom", "project x\n".encode("utf-16-be"))
case("utf8-bom-twice", b"\xef\xbb\xbf\xef\xbb\xbfproject x\n")
case("utf8-bom-then-error", b"\xef\xbb\xbftopic {\n")
case("utf8-bom-mid-file", "project x\n\ufefftopic y\n")
case("random-bytes-seed-1-4096", random.Random(1).randbytes(4096))
case("random-bytes-seed-2-64", random.Random(2).randbytes(64))
case("single-byte-fe", b"\xfe")
rng = random.Random(4)
case("random-printable-seed-4", "".join(rng.choice("abc{}=\"#;/\\()*- \n0123456789") for _ in range(2048)))
rng = random.Random(5)
case("random-kdl-tokens-seed-5", " ".join(rng.choice(["topic", "{", "}", "=", '"x"', "#true", "/-", "(t)", "1", ";", "\n", "key", "partitions=", "//", "/*", "*/"]) for _ in range(2000)))
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + random.Random(6).randbytes(488)
case("elf-header", ELF)
case("gzip-magic", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + random.Random(7).randbytes(200))
case("zip-magic", b"PK\x03\x04" + random.Random(8).randbytes(200))
case("png-magic", b"\x89PNG\r\n\x1a\n" + random.Random(9).randbytes(200))
case("nul-bytes-1024", b"\x00" * 1024)
case("nul-in-string", b'project "a\x00b"\n')
case("nul-after-valid-project", b"project x\n\x00")
case("valid-text-binary-tail", example("shop")["venice.kdl"] + random.Random(10).randbytes(256))
case("ansi-escape-in-name", 'project "\x1b[31mred\x1b[0m"\n')
case("bidi-override-in-name", "project x\ntopic \u202eorders\n")
case("vertical-tab-and-form-feed", "project\x0bx\x0c\ntopic\x0b{\n")
case("lone-surrogate-escape", 'project "\\u{D800}"\n')
case("escape-out-of-range", 'project "\\u{110000}"\n')
case("escape-empty", 'project "\\u{}"\n')
case("escape-unknown", 'project "\\q"\n')
case("escape-too-long", 'project "\\u{1234567}"\n')

# ---------------------------------------------------------------------------------------------
# 6. Includes.

case("include-self", 'project x\ninclude "venice.kdl"\n')
case("include-a-b-a", 'project x\ninclude "a.kdl"\n', a_dot_kdl='include "b.kdl"\n', b_dot_kdl='include "a.kdl"\n')
case("include-back-to-root", 'project x\ninclude "parts/a.kdl"\n', parts__a_dot_kdl='include "../venice.kdl"\n')
case("include-glob-matches-itself", 'project x\ninclude "*.kdl"\n', other_dot_kdl="topic t\n")
case("include-glob-in-part-matches-part", 'project x\ninclude "parts/*.kdl"\n', parts__a_dot_kdl='include "*.kdl"\ntopic t\n')
case("include-missing", 'project x\ninclude "missing.kdl"\n')
case("include-glob-matches-nothing", 'project x\ninclude "missing/*.kdl"\n')
case("include-folder", 'project x\ninclude "parts"\n', parts__a_dot_kdl="topic t\n")
case("include-glob-folder-only", 'project x\ninclude "part?"\n', parts__a_dot_kdl="topic t\n")
case("include-not-utf8", 'project x\ninclude "latin1.kdl"\n', latin1_dot_kdl=b"project caf\xe9\n")
case("include-binary", 'project x\ninclude "junk.kdl"\n', junk_dot_kdl=ELF)
case("include-invalid-glob-bracket", 'project x\ninclude "["\n')
case("include-invalid-glob-triple-star", 'project x\ninclude "***.kdl"\n')
case("include-invalid-glob-in-part", 'project x\ninclude "a.kdl"\n', a_dot_kdl='include "[z-a"\n')
case("include-dotdot-escape-missing", 'project x\ninclude "../../../../../../../../venice-malformed-nonexistent/x.kdl"\n')
case("include-dotdot-glob-all-siblings", 'project x\ninclude "../*/venice.kdl"\n')
case("include-absolute-missing", 'project x\ninclude "/nonexistent-venice-malformed/x.kdl"\n')
case("include-integer", "project x\ninclude 5\n")
case("include-no-argument", "project x\ninclude\n")
case("include-property-only", 'project x\ninclude path="a.kdl"\n', a_dot_kdl="topic t\n")
case("include-inside-block", 'project x\nstack {\n    include "a.kdl"\n}\n', a_dot_kdl="topic t\n")
case("include-syntax-error", 'project x\ninclude "bad.kdl"\n', bad_dot_kdl="topic {\n")
case("include-deep-nesting", 'project x\ninclude "deep.kdl"\n', deep_dot_kdl="a {" * 1000)
case("include-hidden-deep-nesting", 'project x\ninclude "deep.kdl"\n', deep_dot_kdl='/* " */\n' + "a {" * 1000 + "}" * 1000)
case("include-twice-duplicate-inside", 'project x\ninclude "a.kdl"\ninclude "a.kdl"\ninclude "./a.kdl"\n', a_dot_kdl="topic t\ntopic t\n")
case("include-chain-ends-missing", 'project x\ninclude "c0.kdl"\n', **{f"c{i}_dot_kdl": f'include "c{i + 1}.kdl"\n' for i in range(50)})
case("include-nul-in-path", 'project x\ninclude "a\\u{0}b.kdl"\n')
case("include-long-path", 'project x\ninclude "' + "d/" * 3000 + 'x.kdl"\n')
case("include-long-file-name", 'project x\ninclude "' + "n" * 5000 + '.kdl"\n')
case("include-empty-string", 'project x\ninclude ""\n')
case("include-root-folder", 'project x\ninclude "/"\n')
case("include-glob-mixed-folder-and-file", 'project x\ninclude "parts/*"\n', parts__sub__a_dot_kdl="topic t\n", parts__b_dot_kdl="topics t\n")
case("include-second-project-node", 'project x\ninclude "a.kdl"\n', a_dot_kdl="project y\n")

# ---------------------------------------------------------------------------------------------
# 7. Files named by schema/transform/ddl paths (and credentials).

SQL = "CREATE STREAM big AS SELECT * FROM orders_s EMIT CHANGES;\n"
AVSC = '{"type": "record", "name": "Order", "fields": [{"name": "ID", "type": "string"}]}\n'
SCHEMA_AT = 'schema Order avro=#"{"type": "record", "name": "Order", "fields": [{"name": "ID", "type": "string"}]}"#'
TRANSFORM_AT = 'transform upper {\n    sql "CREATE STREAM upper_orders AS SELECT * FROM orders_s EMIT CHANGES;"\n}'
TABLE_AT = 'table "public.orders" topic=cdc.orders'

mutate("schema-path-missing", SCHEMA_AT, 'schema Order path="schema/missing.avsc"')
mutate("schema-path-folder", SCHEMA_AT, 'schema Order path="schema"', schema__order_dot_avsc=AVSC)
mutate("schema-path-not-utf8", SCHEMA_AT, 'schema Order path="order.avsc"', order_dot_avsc=b'{"type": "caf\xe9"}')
mutate("schema-path-binary", SCHEMA_AT, 'schema Order path="order.avsc"', order_dot_avsc=ELF)
mutate("schema-path-empty-string", SCHEMA_AT, 'schema Order path=""')
mutate("schema-path-root", SCHEMA_AT, 'schema Order path="/"')
mutate("schema-path-dotdot-escape", SCHEMA_AT, 'schema Order path="../../../../../../../../nonexistent-venice/x.avsc"')
mutate("schema-path-and-avro", SCHEMA_AT, SCHEMA_AT + ' path="order.avsc"', order_dot_avsc=AVSC)
mutate("schema-neither-path-nor-avro", SCHEMA_AT, "schema Order")
mutate("transform-path-missing", TRANSFORM_AT, 'transform upper path="ksql/missing.sql"')
mutate("transform-path-folder", TRANSFORM_AT, 'transform upper path="ksql"', ksql__upper_dot_sql=SQL)
mutate("transform-path-not-utf8", TRANSFORM_AT, 'transform upper path="upper.sql"', upper_dot_sql=b"SELECT '\xe9' FROM x;")
mutate("transform-path-binary", TRANSFORM_AT, 'transform upper path="upper.sql"', upper_dot_sql=ELF)
mutate("transform-path-and-sql", "transform upper {", 'transform upper path="upper.sql" {', upper_dot_sql=SQL)
mutate("transform-neither", TRANSFORM_AT, "transform upper")
mutate("transform-sql-untokenizable", "SELECT * FROM orders_s EMIT CHANGES;", "SELECT 'unterminated FROM orders_s;")
mutate("transform-file-untokenizable", TRANSFORM_AT, 'transform upper path="upper.sql"', upper_dot_sql="SELECT `x FROM y;\n")
mutate("ddl-missing", TABLE_AT, TABLE_AT + ' ddl="sql/missing.sql"')
mutate("ddl-folder", TABLE_AT, TABLE_AT + ' ddl="sql"', sql__orders_dot_sql="CREATE TABLE orders (id INT PRIMARY KEY);\n")
mutate("ddl-not-utf8", TABLE_AT, TABLE_AT + ' ddl="orders.sql"', orders_dot_sql=b"CREATE TABLE caf\xe9 (id INT);")
mutate("ddl-binary", TABLE_AT, TABLE_AT + ' ddl="orders.sql"', orders_dot_sql=random.Random(11).randbytes(300))

# ---------------------------------------------------------------------------------------------
# 8. Duplicates, secrets, conflicts.

mutate("duplicate-topic", "stream orders_s", "topic orders\nstream orders_s")
mutate("duplicate-schema", SCHEMA_AT, SCHEMA_AT + "\n" + SCHEMA_AT)
mutate("duplicate-project-node", "project mini", "project mini\nproject other")
mutate("duplicate-stack", "target local", "stack {\n    postgres\n}\ntarget local")
mutate("duplicate-database", "schema Order", "database shop\nschema Order")
mutate("duplicate-child-key", "    key string\n    value avro schema=Order\n    compat", "    key string\n    key int\n    value avro schema=Order\n    compat")
mutate("duplicate-connector", "stream orders_s", "sink orders-to-postgres connector=jdbc topic=orders\nstream orders_s")
mutate("duplicate-stream", "transform upper", "stream orders_s topic=orders\ntransform upper")
mutate("secret-inline-password", "password env=POSTGRES_PASSWORD", 'password "hunter2"')
mutate("secret-inline-token", 'token file="secrets/ksql-token"', 'token "abc123"')
mutate("secret-inline-config", '"snapshot.mode" "initial"', '"database.password" "hunter2"')
mutate("secret-inline-jaas", '"min.insync.replicas" "1"', '"sasl.jaas.config" "org.apache.kafka.common.security.plain.PlainLoginModule required username=\\"u\\" password=\\"p\\";"')
mutate("credential-env-and-file", "password env=POSTGRES_PASSWORD", 'password env=POSTGRES_PASSWORD file="pw"')
mutate("credential-empty", "user venice", "user")
mutate("connector-and-class", "connector=jdbc", 'connector=jdbc class="io.confluent.connect.jdbc.JdbcSinkConnector"')
mutate("sink-without-topic", "sink orders-to-postgres connector=jdbc topic=orders", "sink orders-to-postgres connector=jdbc")
mutate("reference-unknown-topic", "stream orders_s topic=orders", "stream orders_s topic=ordres")
mutate("reference-unknown-schema", "value avro schema=Order\n    compat", "value avro schema=Ordre\n    compat")
mutate("reference-unknown-database", "    database shop\n    table orders", "    database shpo\n    table orders")

# ---------------------------------------------------------------------------------------------
# 9. KDL syntax oddities: raw strings, multi-line strings, CRLF, slashdash, numbers, v1 syntax.

for name, text in [
    ("raw-string-more-closing-hashes", 'project #"x"##\n'),
    ("raw-string-fewer-closing-hashes", 'project ##"x"#\n'),
    ("raw-string-unclosed", 'project #"x\n'),
    ("raw-string-hash-no-quote", "project #x\n"),
    ("raw-multiline-mismatched-hashes", 'project x doc=#"""\n    abc\n    """##\n'),
    ("raw-string-v1-syntax", 'project r#"x"#\n'),
    ("multiline-bad-indent", 'project x doc="""\n    line\n  bad\n    """\n'),
    ("multiline-on-one-line", 'project x doc="""abc"""\n'),
    ("multiline-tabs-vs-spaces", 'project x doc="""\n\tline\n    """\n'),
    ("multiline-text-on-closing-line", 'project x doc="""\n    line\n    x"""\n'),
    ("multiline-raw-bad-indent", 'transform t {\n    sql #"""\n  SELECT 1;\n    """#\n}\n'),
    ("quoted-string-with-newline", 'project "two\nlines"\n'),
    ("quoted-string-with-cr", 'project "two\rlines"\n'),
    ("slashdash-at-eof", "project x\n/-"),
    ("slashdash-before-close-brace", "project x\nstack {\n    postgres /-\n}\n"),
    ("slashdash-on-equals", "project x\ntopic t partitions=/-3\n"),
    ("slashdash-between-name-and-equals", "project x\ntopic t partitions /-=3\n"),
    ("slashdash-twice-then-nothing", "project x\n/- /-\n"),
    ("slashdash-on-block-then-args", "project x\ntopic t /-{ } partitions=3\n"),
    ("slashdash-inside-type", "project x\ntopic t partitions=(/-u8)3\n"),
    ("number-trailing-dot", "project x\ntopic t partitions=1.\n"),
    ("number-hex-empty", "project x\ntopic t partitions=0x\n"),
    ("number-binary-bad-digit", "project x\ntopic t partitions=0b2\n"),
    ("number-exponent-empty", "project x\ntopic t partitions=1e\n"),
    ("number-double-sign", "project x\ntopic t partitions=+-1\n"),
    ("number-leading-dot", "project x\ntopic t partitions=.5\n"),
    ("number-word-7d", "project x\ntopic t {\n    retention 7d\n}\n"),
    ("keyword-bare-true", "project x\nsource s connector=jdbc {\n    unwrap true\n}\n"),
    ("keyword-bare-null", "project null\n"),
    ("keyword-capitalised", "project x\nsink s connector=jdbc topic=t {\n    deletes #True\n}\n"),
    ("keyword-as-node-name", "#true x\n"),
    ("stray-close-brace", "project x\n}\n"),
    ("block-without-name", "project x\n{ a }\n"),
    ("equals-alone", "project x\n=\n"),
    ("property-without-value", "project x\ntopic t partitions=\n"),
    ("property-value-is-block", "project x\ntopic t partitions={ }\n"),
    ("two-blocks", "project x\ntopic t { key string } { value string }\n"),
    ("only-semicolons-and-error", ";;;;\n;;}\n"),
    ("quote-alone", '"'),
    ("escline-then-junk", "project x \\ junk\n"),
    ("hash-alone", "#\n"),
    ("paren-alone", "(\n"),
    ("crlf-shop-with-unknown-node", example("shop")["venice.kdl"].replace(b"\n", b"\r\n") + b"topics extra\r\n"),
    ("crlf-truncated-string", b'project x\r\ntopic "orders\r\n'),
    ("crlf-multiline-bad-indent", b'project x doc="""\r\n    line\r\n  bad\r\n    """\r\n'),
    ("cr-only-line-endings", b"project x\rstack {\r    kafka brokers=0\r}\r"),
    ("mixed-line-endings-unicode", "project x\u2028topic t partitions=\"3\"\u0085\n"),
    ("kdl-v1-document", 'project "x"\nsource "s" connector="jdbc" {\n    unwrap true\n    config "a" null\n}\n'),
    ("kdl-v1-raw-and-escapes", 'project r"x"\ntopic "a\\/b"\n'),
]:
    case(name, text)


# ---------------------------------------------------------------------------------------------
# 10. Inputs from fuzzing (fuzz/fuzz_targets/front_end.rs), reduced by hand. New cases go at the
# end, so the numbers of the others do not change.

# A quote in a block comment hides the unclosed blocks after it from the depth guard.
case("fuzz-hidden-nesting-minimal", '/*"*/\n' + "a{" * 1000)

# ---------------------------------------------------------------------------------------------
# Writing.


def main():
    for entry in sorted(os.listdir(HERE)):
        if re.fullmatch(r"\d{3}-.+", entry):
            shutil.rmtree(os.path.join(HERE, entry))
    total = 0
    for number, (name, contents) in enumerate(CASES, start=1):
        folder = os.path.join(HERE, f"{number:03d}-{name}")
        for relative, data in contents.items():
            path = os.path.join(folder, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            total += len(data)
    print(f"wrote {len(CASES)} cases, {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
