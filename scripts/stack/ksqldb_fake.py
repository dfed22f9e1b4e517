#!/usr/bin/env python3
"""A small ksqlDB REST server for Venice's tests (Python standard library only).

ksqlDB itself is published nowhere this machine reaches, so Venice's ksqlDB client is tested
against this server. It follows ksqlDB's documented REST API (docs/developer-guide/ksqldb-rest-api
in confluentinc/ksql: ksql-endpoint.md, info-endpoint.md, status-endpoint.md) and the JSON shapes of
ksqlDB 0.29's entities and errors (io.confluent.ksql.rest.entity, Errors.java):

  GET  /info               {"KsqlServerInfo": {"version", "kafkaClusterId", "ksqlServiceId",
                            "serverStatus"}}
  GET  /healthcheck        {"isHealthy": true, "details": {...}}
  POST /ksql               {"ksql": "STATEMENTS;", "streamsProperties": {}, "commandSequenceNumber": N}
                           -> an array of entities ("@type": currentStatus, streams, tables, queries,
                           properties, sourceDescription), or an error object
                           ("@type": "statement_error", "error_code": 40001, "message",
                           "statementText", "entities": [those that ran before it])
  GET  /status/COMMAND_ID  {"status": "SUCCESS", "message": ...}
  POST /ksql/terminate     forgets every stream, table and query (like terminating the cluster)

What it understands: CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS] ... [AS SELECT],
INSERT INTO ... SELECT, DROP STREAM|TABLE [IF EXISTS] ... [DELETE TOPIC], TERMINATE id|ALL,
LIST|SHOW STREAMS|TABLES|QUERIES|PROPERTIES, DESCRIBE name, SET/UNSET. It checks names (a source
that exists, a drop of a source a query writes to) but not SQL syntax or types: Venice checks
those itself before it sends anything. Commands run at once, so a commandSequenceNumber beyond the
last command answers 503 with error 50301, as ksqlDB does when it times out waiting for it.
State is in memory only. Extra for tests: --basic-auth USER:PASSWORD requires that login, and
--fail-next N makes the next N POST /ksql requests answer 503 (server not ready, 50302).
"""

import argparse
import base64
import json
import re
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "0.29.0"
CONTENT_TYPE = "application/vnd.ksql.v1+json"


class KsqlError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_statement(message):
    return KsqlError(400, 40001, message)


def split_statements(text):
    """Statements cut at `;` outside quotes, identifiers and comments; each keeps its `;`."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "'`\"":
            j = i + 1
            while j < n:
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif text.startswith("--", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == ";":
            stmt = text[start : i + 1].strip()
            if stmt != ";":
                out.append(stmt)
            start = i + 1
            i += 1
        else:
            i += 1
    rest = text[start:].strip()
    if rest and not re.fullmatch(r"(--[^\n]*\n?|/\*.*?\*/|\s)*", rest, re.S):
        out.append(rest)
    return out


def strip_comments(stmt):
    stmt = re.sub(r"--[^\n]*", " ", stmt)
    return re.sub(r"/\*.*?\*/", " ", stmt, flags=re.S).strip()


IDENT = r"(`[^`]+`|[A-Za-z_][A-Za-z0-9_@]*)"


def norm_name(name):
    """Unquoted identifiers are upper-cased; back-quoted ones are kept as written."""
    if name.startswith("`") and name.endswith("`"):
        return name[1:-1]
    return name.upper()


def with_props(stmt):
    m = re.search(r"\bWITH\s*\((.*?)\)\s*(AS\s+SELECT\b|;|$)", stmt, re.I | re.S)
    props = {}
    if m:
        for k, v in re.findall(r"([A-Za-z_.]+)\s*=\s*('(?:[^']|'')*'|[^,\s)]+)", m.group(1)):
            v = v[1:-1].replace("''", "'") if v.startswith("'") else v
            props[k.upper()] = v
    return props


SQL_TYPES = {
    "INT": "INTEGER",
    "INTEGER": "INTEGER",
    "BIGINT": "BIGINT",
    "SMALLINT": "INTEGER",
    "TINYINT": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "DOUBLE": "DOUBLE",
    "STRING": "STRING",
    "VARCHAR": "STRING",
    "DECIMAL": "DECIMAL",
    "BYTES": "BYTES",
    "DATE": "DATE",
    "TIME": "TIME",
    "TIMESTAMP": "TIMESTAMP",
    "ARRAY": "ARRAY",
    "MAP": "MAP",
    "STRUCT": "STRUCT",
}


def columns(stmt):
    """The column list of a CREATE statement (outer types only), as DESCRIBE shows fields."""
    m = re.match(r"[^(]*?\b(STREAM|TABLE)\s+(IF\s+NOT\s+EXISTS\s+)?\S+\s*\(", stmt, re.I | re.S)
    if not m:
        return []
    depth, i, start, parts = 1, m.end(), m.end(), []
    while i < len(stmt) and depth:
        c = stmt[i]
        if c in "(<":
            depth += 1
        elif c in ")>":
            depth -= 1
        elif c == "," and depth == 1:
            parts.append(stmt[start:i])
            start = i + 1
        i += 1
    parts.append(stmt[start : i - 1])
    fields = []
    for part in parts:
        words = part.split()
        if len(words) < 2:
            continue
        base = re.match(r"[A-Za-z]+", words[1])
        kind = "PRIMARY_KEY" if re.search(r"\bPRIMARY\s+KEY\b", part, re.I) else (
            "KEY" if re.search(r"\bKEY\b", " ".join(words[2:]), re.I) else None)
        field = {
            "name": norm_name(words[0]),
            "schema": {
                "type": SQL_TYPES.get(base.group(0).upper(), base.group(0).upper()) if base else "STRING",
                "fields": None,
                "memberSchema": None,
            },
        }
        if kind:
            field["type"] = kind
        fields.append(field)
    return fields


class Ksql:
    """The metastore and command log of one server."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.sources = {}  # name -> dict
        self.queries = {}  # id -> dict
        self.commands = {}  # commandId -> status dict
        self.seq = -1
        self.query_counter = 0

    # -- commands -------------------------------------------------------------------------------

    def command(self, stmt, command_id, message, query_id=None):
        self.seq += 1
        status = {"status": "SUCCESS", "message": message, "queryId": query_id}
        self.commands[command_id] = status
        return {
            "@type": "currentStatus",
            "statementText": stmt,
            "commandId": command_id,
            "commandStatus": status,
            "commandSequenceNumber": self.seq,
            "warnings": [],
        }

    def execute(self, stmt):
        body = strip_comments(stmt).rstrip(";").strip()
        u = body.upper()
        words = u.split()
        if not words:
            return None
        if words[0] in ("SELECT", "PRINT"):
            raise KsqlError(400, 40002, "The following statement types should be issued to the "
                            "websocket endpoint '/query':\n\t* PRINT\n\t* SELECT")
        if words[0] in ("SET", "UNSET", "DEFINE", "UNDEFINE"):
            return None
        if words[0] == "CREATE":
            return self.create(stmt, body)
        if words[0] == "INSERT":
            return self.insert(stmt, body)
        if words[0] == "DROP":
            return self.drop(stmt, body)
        if words[0] == "TERMINATE":
            return self.terminate(stmt, body)
        if words[0] in ("LIST", "SHOW"):
            return self.listing(stmt, words)
        if words[0] in ("DESCRIBE", "DESC"):
            return self.describe(stmt, body)
        raise bad_statement(f"line 1:1: Syntax error at or near '{body.split()[0]}' "
                            "(this fake ksqlDB server does not know that statement)")

    def create(self, stmt, body):
        m = re.match(r"CREATE\s+(OR\s+REPLACE\s+)?(SOURCE\s+)?(STREAM|TABLE)\s+(IF\s+NOT\s+EXISTS\s+)?"
                     + IDENT, body, re.I)
        if not m:
            if re.match(r"CREATE\s+(SINK|SOURCE)\s+CONNECTOR\b", body, re.I):
                raise bad_statement("This fake ksqlDB server has no Connect integration")
            if re.match(r"CREATE\s+TYPE\b", body, re.I):
                return None
            raise bad_statement(f"line 1:8: Syntax error in: {body[:60]}")
        replace, kind, if_not_exists = bool(m.group(1)), m.group(3).upper(), bool(m.group(4))
        name = norm_name(m.group(5))
        kind_word = kind.capitalize()
        select = re.search(r"\bAS\s+SELECT\b(.*)$", body, re.I | re.S)
        if name in self.sources and not replace:
            if if_not_exists:
                return self.command(stmt, f"{kind.lower()}/{name}/create",
                                    f"Cannot add {kind.lower()} {name}: A {kind.lower()} with the "
                                    "same name already exists.")
            existing = self.sources[name]["type"].lower()
            raise bad_statement(f"Cannot add {kind.lower()} '{name}': A {existing} with the same "
                                "name already exists")
        props = with_props(body)
        topic = props.get("KAFKA_TOPIC", name)
        fmt = props.get("FORMAT")
        # A query's output takes its formats from its first source unless WITH names them.
        first = None
        if select:
            m_from = re.search(r"\bFROM\s+" + IDENT, select.group(1), re.I)
            first = self.sources.get(norm_name(m_from.group(1))) if m_from else None
        key_format = props.get("KEY_FORMAT", fmt or (first["keyFormat"] if first else "KAFKA"))
        value_format = props.get("VALUE_FORMAT", fmt or (first["valueFormat"] if first else None))
        if not select and "KAFKA_TOPIC" not in props:
            raise bad_statement("Missing required property \"KAFKA_TOPIC\" which has no default value.")
        if not select and not value_format:
            raise bad_statement("Statement is missing the 'VALUE_FORMAT' property from the WITH "
                                "clause. Either provide one or set a default via the "
                                "'ksql.persistence.default.format.value' config.")
        read = []
        query_id = None
        if select:
            read = [norm_name(x) for x in re.findall(r"\b(?:FROM|JOIN)\s+" + IDENT, select.group(1), re.I)]
            missing = [s for s in read if s not in self.sources]
            if missing:
                raise bad_statement(f"{missing[0]} does not exist.")
            self.query_counter += 1
            prefix = "CSAS" if kind == "STREAM" else "CTAS"
            query_id = f"{prefix}_{name}_{self.query_counter}"
            if replace and name in self.sources:
                old = [q for q, d in self.queries.items() if name in d["sinks"]]
                query_id = old[0] if old else query_id
            self.queries[query_id] = {
                "queryString": stmt,
                "sinks": [name],
                "sinkKafkaTopics": [topic],
                "sources": read,
                "id": query_id,
                "statusCount": {"RUNNING": 1},
                "queryType": "PERSISTENT",
                "state": "RUNNING",
            }
        self.sources[name] = {
            "name": name,
            "type": kind,
            "topic": topic,
            "keyFormat": key_format,
            "valueFormat": value_format,
            "isWindowed": bool(re.search(r"\bWINDOW\b", body, re.I)),
            "statement": stmt,
            "fields": columns(body),
            "partitions": int(props.get("PARTITIONS", 1)),
            "replication": int(props.get("REPLICAS", 1)),
            "isSource": bool(m.group(2)),
        }
        message = f"{kind_word} created and running" if select else f"{kind_word} created"
        return self.command(stmt, f"{kind.lower()}/{name}/create", message, query_id)

    def insert(self, stmt, body):
        m = re.match(r"INSERT\s+INTO\s+" + IDENT + r"(.*)$", body, re.I | re.S)
        if not m:
            raise bad_statement(f"line 1:1: Syntax error in: {body[:60]}")
        target = norm_name(m.group(1))
        if target not in self.sources:
            raise bad_statement(f"{target} does not exist.")
        if not re.search(r"\bSELECT\b", m.group(2), re.I):
            raise bad_statement("INSERT INTO ... VALUES is not a command; this fake server "
                                "does not store rows")
        read = [norm_name(x) for x in re.findall(r"\b(?:FROM|JOIN)\s+" + IDENT, m.group(2), re.I)]
        missing = [s for s in read if s not in self.sources]
        if missing:
            raise bad_statement(f"{missing[0]} does not exist.")
        self.query_counter += 1
        query_id = f"INSERTQUERY_{self.query_counter}"
        self.queries[query_id] = {
            "queryString": stmt,
            "sinks": [target],
            "sinkKafkaTopics": [self.sources[target]["topic"]],
            "sources": read,
            "id": query_id,
            "statusCount": {"RUNNING": 1},
            "queryType": "PERSISTENT",
            "state": "RUNNING",
        }
        return self.command(stmt, f"stream/{target}/create", "Created query with ID " + query_id,
                            query_id)

    def drop(self, stmt, body):
        m = re.match(r"DROP\s+(STREAM|TABLE|TYPE)\s+(IF\s+EXISTS\s+)?" + IDENT + r"(\s+DELETE\s+TOPIC)?",
                     body, re.I)
        if not m:
            raise bad_statement(f"line 1:1: Syntax error in: {body[:60]}")
        kind, if_exists, name = m.group(1).upper(), bool(m.group(2)), norm_name(m.group(3))
        if kind == "TYPE":
            return None
        source = self.sources.get(name)
        if source is None or source["type"] != kind:
            if if_exists:
                return self.command(stmt, f"{kind.lower()}/{name}/drop",
                                    f"Source {name} does not exist.")
            raise bad_statement(f"{kind.capitalize()} {name} does not exist.")
        writers = sorted(q for q, d in self.queries.items() if name in d["sinks"])
        readers = sorted(q for q, d in self.queries.items() if name in d["sources"])
        if writers or readers:
            raise bad_statement(f"Cannot drop {name}.\nThe following queries read from this source: "
                                f"[{', '.join(readers)}].\nThe following queries write into this "
                                f"source: [{', '.join(writers)}].\nYou need to terminate them before "
                                f"dropping {name}.")
        del self.sources[name]
        return self.command(stmt, f"{kind.lower()}/{name}/drop", f"Source `{name}` (topic: "
                            f"{source['topic']}) was dropped.")

    def terminate(self, stmt, body):
        m = re.match(r"TERMINATE\s+(QUERY\s+)?" + IDENT, body, re.I)
        if not m:
            raise bad_statement(f"line 1:1: Syntax error in: {body[:60]}")
        target = m.group(2)
        if target.upper() == "ALL":
            self.queries.clear()
            return self.command(stmt, "terminate/ALL/execute", "Query terminated.")
        query_id = norm_name(target)
        if query_id not in self.queries:
            raise bad_statement(f"Unknown queryId: {query_id}")
        del self.queries[query_id]
        return self.command(stmt, f"terminate/{query_id}/execute", "Query terminated.")

    def listing(self, stmt, words):
        what = words[1] if len(words) > 1 else ""
        if what in ("STREAMS", "TABLES"):
            kind = what[:-1]
            items = [
                {
                    "type": kind,
                    "name": s["name"],
                    "topic": s["topic"],
                    "keyFormat": s["keyFormat"],
                    "valueFormat": s["valueFormat"],
                    "isWindowed": s["isWindowed"],
                }
                for s in sorted(self.sources.values(), key=lambda s: s["name"])
                if s["type"] == kind
            ]
            return {"@type": what.lower(), "statementText": stmt, what.lower(): items, "warnings": []}
        if what == "QUERIES":
            items = [
                {k: v for k, v in q.items() if k != "sources"}
                for _, q in sorted(self.queries.items())
            ]
            return {"@type": "queries", "statementText": stmt, "queries": items, "warnings": []}
        if what == "PROPERTIES":
            return {
                "@type": "properties",
                "statementText": stmt,
                "properties": [
                    {"name": "ksql.service.id", "scope": "KSQL", "value": "default_"},
                    {"name": "ksql.streams.auto.offset.reset", "scope": "KSQL", "value": "latest"},
                ],
                "overwrittenProperties": [],
                "defaultProperties": [],
                "warnings": [],
            }
        raise bad_statement(f"line 1:6: Syntax error: LIST {what} is not known to this fake server")

    def describe(self, stmt, body):
        m = re.match(r"DESC(?:RIBE)?\s+(?:STREAMS|TABLES)\b", body, re.I)
        if m:
            raise bad_statement("DESCRIBE STREAMS/TABLES is not known to this fake server")
        m = re.match(r"DESC(?:RIBE)?\s+" + IDENT + r"(\s+EXTENDED)?", body, re.I)
        if not m:
            raise bad_statement(f"line 1:1: Syntax error in: {body[:60]}")
        name = norm_name(m.group(1))
        s = self.sources.get(name)
        if s is None:
            raise bad_statement(f"Could not find STREAM/TABLE '{name}' in the Metastore")
        query_ref = lambda q: {"queryString": self.queries[q]["queryString"], "sinks": self.queries[q]["sinks"],  # noqa: E731
                               "id": q}
        return {
            "@type": "sourceDescription",
            "statementText": stmt,
            "sourceDescription": {
                "name": s["name"],
                "windowType": None,
                "readQueries": [query_ref(q) for q in sorted(self.queries) if name in self.queries[q]["sources"]],
                "writeQueries": [query_ref(q) for q in sorted(self.queries) if name in self.queries[q]["sinks"]],
                "fields": s["fields"],
                "type": s["type"],
                "timestamp": "",
                "statistics": "",
                "errorStats": "",
                "extended": bool(m.group(2)),
                "keyFormat": s["keyFormat"],
                "valueFormat": s["valueFormat"],
                "topic": s["topic"],
                "partitions": s["partitions"],
                "replication": s["replication"],
                "statement": s["statement"],
                "queryOffsetSummaries": [],
                "sourceConstraints": [],
            },
            "warnings": [],
        }

    def run(self, request):
        text = request.get("ksql")
        if not isinstance(text, str):
            raise KsqlError(400, 40000, "Unrecognized field or missing field: \"ksql\"")
        wait_for = request.get("commandSequenceNumber")
        with self.lock:
            if wait_for is not None and int(wait_for) > self.seq:
                raise KsqlError(503, 50301, "Timed out while waiting for a previous command to "
                                f"execute. command sequence number: {int(wait_for)}")
            entities = []
            for stmt in split_statements(text):
                try:
                    entity = self.execute(stmt)
                except KsqlError as e:
                    e.statement = stmt
                    e.entities = entities
                    raise
                if entity is not None:
                    entities.append(entity)
            return entities


class Handler(BaseHTTPRequestHandler):
    server_version = "ksqlDB-fake/" + VERSION
    ksql = None
    auth = None
    fail_next = 0

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_error_json(self, status, code, message, statement=None, entities=None):
        body = {"@type": "generic_error", "error_code": code, "message": message}
        if statement is not None:
            body = {"@type": "statement_error", "error_code": code, "message": message,
                    "statementText": statement, "entities": entities or []}
        self.send_json(status, body)

    def authorized(self):
        if not Handler.auth:
            return True
        header = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(Handler.auth.encode()).decode()
        if header == expected:
            return True
        self.send_error_json(401, 40100, "Unauthorized")
        return False

    def do_GET(self):
        if not self.authorized():
            return
        path = self.path.split("?", 1)[0]
        if path == "/info":
            self.send_json(200, {"KsqlServerInfo": {
                "version": VERSION,
                "kafkaClusterId": "venice-fake-cluster",
                "ksqlServiceId": "default_",
                "serverStatus": "RUNNING",
            }})
        elif path == "/healthcheck":
            self.send_json(200, {"isHealthy": True, "details": {
                "metastore": {"isHealthy": True},
                "kafka": {"isHealthy": True},
                "commandRunner": {"isHealthy": True},
            }})
        elif path.startswith("/status/"):
            command_id = path[len("/status/"):]
            with Handler.ksql.lock:
                status = Handler.ksql.commands.get(command_id)
            if status is None:
                self.send_error_json(404, 40400, f"Command not found: {command_id}")
            else:
                self.send_json(200, {"status": status["status"], "message": status["message"]})
        elif path == "/status":
            with Handler.ksql.lock:
                statuses = {k: v["status"] for k, v in Handler.ksql.commands.items()}
            self.send_json(200, {"commandStatuses": statuses})
        else:
            self.send_error_json(404, 40400, f"No such resource: {path}")

    def do_POST(self):
        if not self.authorized():
            return
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            request = json.loads(raw or b"{}")
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError as e:
            self.send_error_json(400, 40000, f"Invalid JSON in request: {e}")
            return
        if path == "/ksql":
            if Handler.fail_next > 0:
                Handler.fail_next -= 1
                self.send_error_json(503, 50302, "KSQL is not yet ready to serve requests.")
                return
            try:
                entities = Handler.ksql.run(request)
            except KsqlError as e:
                statement = getattr(e, "statement", None)
                self.send_error_json(e.status, e.code, e.message, statement, getattr(e, "entities", None))
                return
            self.send_json(200, entities)
        elif path == "/ksql/terminate":
            with Handler.ksql.lock:
                Handler.ksql.reset()
            self.send_json(200, {"@type": "generic_entity", "status": "TERMINATED"})
        elif path in ("/query", "/query-stream"):
            self.send_error_json(501, 50100, "Queries are not served by this fake ksqlDB server")
        else:
            self.send_error_json(404, 40400, f"No such resource: {path}")


def serve_https(args):
    """The same server over TLS, on its own port and thread (one engine behind both)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server = ThreadingHTTPServer((args.host, args.https_port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"fake ksqlDB {VERSION} REST server listening on https://{args.host}:{args.https_port}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--basic-auth", metavar="USER:PASSWORD")
    parser.add_argument("--fail-next", type=int, default=0, metavar="N")
    parser.add_argument("--https-port", type=int, metavar="PORT", help="also serve HTTPS here")
    parser.add_argument("--cert", help="the HTTPS server's certificate chain (PEM)")
    parser.add_argument("--key", help="the HTTPS server's private key (PEM)")
    args = parser.parse_args()
    Handler.ksql = Ksql()
    Handler.auth = args.basic_auth
    Handler.fail_next = args.fail_next
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"fake ksqlDB {VERSION} REST server listening on http://{args.host}:{args.port}", flush=True)
    if args.https_port:
        serve_https(args)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
