#!/usr/bin/env python3
"""Tiny Kafka protocol probe for scripts/kafka-local (Python 3 stdlib only).

  kafka_probe.py ready HOST:PORT [--node ID] [--brokers N] [--timeout S]
      One ApiVersions v0 + Metadata v4 round trip.  Exit 0 when the broker
      answers without error, lists node ID among its live brokers (if given)
      and lists at least N live brokers (if given); exit 1 otherwise.
  kafka_probe.py apis HOST:PORT
      Print the broker's supported API versions (key name min max).
  kafka_probe.py features HOST:PORT
      ApiVersions v3: print the supported and finalized feature levels
      (e.g. metadata.version, group.version, share.version).
  kafka_probe.py ports-free PORT...
      Exit 0 when every port can be bound on 127.0.0.1, else print the busy
      ports and exit 1.
"""
import socket
import struct
import sys

CLIENT_ID = b"kfk-local-probe"

API_NAMES = {
    0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit",
    9: "OffsetFetch", 10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat",
    13: "LeaveGroup", 14: "SyncGroup", 15: "DescribeGroups", 16: "ListGroups",
    17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
    21: "DeleteRecords", 22: "InitProducerId", 23: "OffsetForLeaderEpoch",
    24: "AddPartitionsToTxn", 25: "AddOffsetsToTxn", 26: "EndTxn",
    27: "WriteTxnMarkers", 28: "TxnOffsetCommit", 29: "DescribeAcls",
    30: "CreateAcls", 31: "DeleteAcls", 32: "DescribeConfigs", 33: "AlterConfigs",
    34: "AlterReplicaLogDirs", 35: "DescribeLogDirs", 36: "SaslAuthenticate",
    37: "CreatePartitions", 38: "CreateDelegationToken", 39: "RenewDelegationToken",
    40: "ExpireDelegationToken", 41: "DescribeDelegationToken", 42: "DeleteGroups",
    43: "ElectLeaders", 44: "IncrementalAlterConfigs",
    45: "AlterPartitionReassignments", 46: "ListPartitionReassignments",
    47: "OffsetDelete", 48: "DescribeClientQuotas", 49: "AlterClientQuotas",
    50: "DescribeUserScramCredentials", 51: "AlterUserScramCredentials",
    55: "DescribeQuorum", 57: "UpdateFeatures", 60: "DescribeCluster",
    61: "DescribeProducers", 64: "UnregisterBroker", 65: "DescribeTransactions",
    66: "ListTransactions", 68: "ConsumerGroupHeartbeat",
    69: "ConsumerGroupDescribe", 71: "GetTelemetrySubscriptions",
    72: "PushTelemetry", 74: "ListClientMetricsResources",
    75: "DescribeTopicPartitions", 76: "ShareGroupHeartbeat",
    77: "ShareGroupDescribe", 78: "ShareFetch", 79: "ShareAcknowledge",
    80: "AddRaftVoter", 81: "RemoveRaftVoter", 90: "DescribeShareGroupOffsets",
    91: "AlterShareGroupOffsets", 92: "DeleteShareGroupOffsets",
    93: "StreamsGroupHeartbeat", 94: "StreamsGroupDescribe",
}


class ProbeError(Exception):
    pass


def parse_addr(addr):
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        raise ProbeError("bad address %r (want HOST:PORT)" % addr)
    return host, int(port)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ProbeError("connection closed by broker")
        buf += chunk
    return buf


def roundtrip(sock, api_key, api_version, corr, body):
    # Request header v1: api_key, api_version, correlation_id, client_id.
    hdr = struct.pack(">hhih", api_key, api_version, corr, len(CLIENT_ID)) + CLIENT_ID
    msg = hdr + body
    sock.sendall(struct.pack(">i", len(msg)) + msg)
    (size,) = struct.unpack(">i", recv_exact(sock, 4))
    if size < 4 or size > 64 * 1024 * 1024:
        raise ProbeError("bad response size %d" % size)
    resp = recv_exact(sock, size)
    (rcorr,) = struct.unpack_from(">i", resp, 0)
    if rcorr != corr:
        raise ProbeError("correlation id mismatch (%d != %d)" % (rcorr, corr))
    return resp, 4  # response header v0 is just the correlation id


class Reader:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos

    def _take(self, fmt):
        vals = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return vals[0]

    def i16(self):
        return self._take(">h")

    def i32(self):
        return self._take(">i")

    def i64(self):
        return self._take(">q")

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.buf[self.pos]
            self.pos += 1
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def compact_string(self):
        n = self.uvarint() - 1
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode("utf-8", "replace")
        self.pos += n
        return s

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode("utf-8", "replace")
        self.pos += n
        return s


def api_versions(sock):
    resp, pos = roundtrip(sock, 18, 0, 1, b"")
    r = Reader(resp, pos)
    err = r.i16()
    if err != 0:
        raise ProbeError("ApiVersions error code %d" % err)
    n = r.i32()
    if n <= 0 or n > 1000:
        raise ProbeError("ApiVersions returned %d apis" % n)
    apis = {}
    for _ in range(n):
        key, vmin, vmax = r.i16(), r.i16(), r.i16()
        apis[key] = (vmin, vmax)
    if 3 not in apis or 18 not in apis:
        raise ProbeError("ApiVersions lacks Metadata/ApiVersions")
    return apis


def metadata_v4(sock):
    # Metadata v4 request: topics = empty array (no topics), allow_auto_topic_creation = false.
    resp, pos = roundtrip(sock, 3, 4, 2, struct.pack(">ib", 0, 0))
    r = Reader(resp, pos)
    r.i32()  # throttle_time_ms
    brokers = []
    for _ in range(r.i32()):
        node_id = r.i32()
        host = r.string()
        port = r.i32()
        r.string()  # rack
        brokers.append((node_id, host, port))
    cluster_id = r.string()
    controller_id = r.i32()
    return brokers, cluster_id, controller_id


def connect(addr, timeout):
    host, port = parse_addr(addr)
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def cmd_ready(args):
    addr, node, want, timeout = None, None, 0, 3.0
    it = iter(args)
    for a in it:
        if a == "--node":
            node = int(next(it))
        elif a == "--brokers":
            want = int(next(it))
        elif a == "--timeout":
            timeout = float(next(it))
        else:
            addr = a
    if addr is None:
        raise ProbeError("ready: missing HOST:PORT")
    try:
        with connect(addr, timeout) as sock:
            apis = api_versions(sock)
            vmin, vmax = apis[3]
            if not vmin <= 4 <= vmax:
                raise ProbeError("Metadata v4 unsupported (%d..%d)" % (vmin, vmax))
            brokers, cluster_id, controller = metadata_v4(sock)
    except (OSError, struct.error) as e:
        raise ProbeError("%s: %s" % (addr, e))
    ids = sorted(b[0] for b in brokers)
    if node is not None and node not in ids:
        raise ProbeError("%s: node %d not yet among live brokers %s" % (addr, node, ids))
    if len(ids) < want:
        raise ProbeError("%s: %d of %d brokers live %s" % (addr, len(ids), want, ids))
    print("%s ok cluster=%s controller=%d brokers=%s" % (addr, cluster_id, controller, ids))
    return 0


def cmd_apis(args):
    if len(args) != 1:
        raise ProbeError("apis: want HOST:PORT")
    with connect(args[0], 5.0) as sock:
        apis = api_versions(sock)
    for key in sorted(apis):
        print("%3d %-28s %d %d" % (key, API_NAMES.get(key, "?"), apis[key][0], apis[key][1]))
    return 0


def cmd_features(args):
    if len(args) != 1:
        raise ProbeError("features: want HOST:PORT")
    name = b"kfk-local-probe"
    body = bytes([len(name) + 1]) + name + bytes([2]) + b"1" + b"\x00"
    # Request header v2 = v1 + empty tagged fields; the response header of
    # ApiVersions stays v0 (no tagged fields).
    hdr = struct.pack(">hhih", 18, 3, 7, len(CLIENT_ID)) + CLIENT_ID + b"\x00"
    with connect(args[0], 5.0) as sock:
        msg = hdr + body
        sock.sendall(struct.pack(">i", len(msg)) + msg)
        (size,) = struct.unpack(">i", recv_exact(sock, 4))
        resp = recv_exact(sock, size)
    r = Reader(resp, 4)
    err = r.i16()
    if err != 0:
        raise ProbeError("ApiVersions v3 error code %d" % err)
    for _ in range(r.uvarint() - 1):
        r.i16(), r.i16(), r.i16()
        r.skip_tags()
    r.i32()  # throttle_time_ms
    supported, finalized, epoch = [], [], None
    for _ in range(r.uvarint()):
        tag, size = r.uvarint(), r.uvarint()
        end = r.pos + size
        if tag == 0:
            for _ in range(r.uvarint() - 1):
                fname, fmin, fmax = r.compact_string(), r.i16(), r.i16()
                r.skip_tags()
                supported.append((fname, fmin, fmax))
        elif tag == 1:
            epoch = r.i64()
        elif tag == 2:
            for _ in range(r.uvarint() - 1):
                fname, fmax, fmin = r.compact_string(), r.i16(), r.i16()
                r.skip_tags()
                finalized.append((fname, fmin, fmax))
        r.pos = end
    for fname, fmin, fmax in supported:
        print("supported %-28s %d %d" % (fname, fmin, fmax))
    for fname, fmin, fmax in finalized:
        print("finalized %-28s %d (epoch %s)" % (fname, fmax, epoch))
    return 0


def cmd_ports_free(args):
    busy = []
    for p in args:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", int(p)))
        except OSError:
            busy.append(p)
        finally:
            s.close()
    if busy:
        print(" ".join(busy))
        return 1
    return 0


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    cmds = {"ready": cmd_ready, "apis": cmd_apis, "features": cmd_features,
            "ports-free": cmd_ports_free}
    fn = cmds.get(argv[1])
    if fn is None:
        sys.stderr.write(__doc__)
        return 2
    try:
        return fn(argv[2:])
    except ProbeError as e:
        sys.stderr.write("kafka_probe: %s\n" % e)
        return 1
    except (OSError, struct.error) as e:
        sys.stderr.write("kafka_probe: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
