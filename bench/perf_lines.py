"""The lines the Python clients' bench scripts print: Kafka's
ProducerPerformance and ConsumerPerformance summaries, which
clients.parse reads for every client."""
import time

IDLE_TIMEOUT_S = 10.0  # ConsumerPerformance's default --timeout


def pct(sorted_values, p):
    return sorted_values[int((len(sorted_values) - 1) * p)] if sorted_values else 0


def producer(count, size, elapsed, latencies):
    """latencies: send-to-acknowledgement times in ms, sorted."""
    n = len(latencies)
    print("%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
          "latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th." % (
              count, count / elapsed, count * size / elapsed / (1024 * 1024),
              sum(latencies) / n if n else 0, latencies[-1] if n else 0, pct(latencies, 0.5),
              pct(latencies, 0.95), pct(latencies, 0.99), pct(latencies, 0.999)))


def date(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) + ":%03d" % (t % 1 * 1000)


def consumer(start, end, msgs, nbytes):
    """start, end: wall-clock times of the start and of the last record."""
    secs, mb = max(end - start, 1e-9), nbytes / (1024 * 1024)
    print("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
          "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec")
    print("%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f" % (
        date(start), date(end), mb, mb / secs, msgs, msgs / secs, 0, secs * 1000, mb / secs,
        msgs / secs))
