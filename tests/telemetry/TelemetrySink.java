// A broker metrics reporter that receives clients' telemetry (KIP-714) and
// appends what it gets to the file named by kfk.telemetry.sink.file: per
// push one line "push <client instance id> <terminating> <content type>",
// then one line per data point "metric <name> <value> <attributes>", the
// OTLP bytes parsed with the protobuf classes kafka-clients ships.
import java.io.FileWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.server.telemetry.ClientTelemetry;
import org.apache.kafka.server.telemetry.ClientTelemetryPayload;
import org.apache.kafka.server.telemetry.ClientTelemetryReceiver;
import org.apache.kafka.shaded.io.opentelemetry.proto.common.v1.KeyValue;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Metric;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ScopeMetrics;

public class TelemetrySink implements MetricsReporter, ClientTelemetry {
    private String file;

    @Override
    public void configure(Map<String, ?> configs) {
        Object f = configs.get("kfk.telemetry.sink.file");
        file = f == null ? null : f.toString();
    }

    @Override
    public void init(List<KafkaMetric> metrics) {}

    @Override
    public void metricChange(KafkaMetric metric) {}

    @Override
    public void metricRemoval(KafkaMetric metric) {}

    @Override
    public void close() {}

    private static String attrs(List<KeyValue> kvs) {
        StringBuilder b = new StringBuilder();
        for (KeyValue kv : kvs) {
            if (b.length() > 0) b.append(',');
            b.append(kv.getKey()).append('=').append(kv.getValue().getStringValue());
        }
        return b.toString();
    }

    private synchronized void write(ClientTelemetryPayload p) {
        if (file == null) return;
        StringBuilder out = new StringBuilder();
        out.append("push ").append(p.clientInstanceId()).append(' ').append(p.isTerminating())
            .append(' ').append(p.contentType()).append('\n');
        try {
            MetricsData data = MetricsData.parseFrom(p.data().duplicate());
            for (ResourceMetrics rm : data.getResourceMetricsList()) {
                out.append("resource ").append(attrs(rm.getResource().getAttributesList())).append('\n');
                for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                    for (Metric m : sm.getMetricsList()) {
                        List<NumberDataPoint> points = m.hasSum() ? m.getSum().getDataPointsList()
                                                                  : m.getGauge().getDataPointsList();
                        for (NumberDataPoint dp : points) {
                            String v = dp.hasAsInt() || m.hasSum() ? Long.toString(dp.getAsInt())
                                                                   : Double.toString(dp.getAsDouble());
                            out.append("metric ").append(m.getName()).append(' ').append(v)
                                .append(' ').append(m.hasSum() ? "sum:" + m.getSum().getAggregationTemporality() : "gauge").append(' ')
                                .append(attrs(dp.getAttributesList())).append('\n');
                        }
                    }
                }
            }
        } catch (Exception e) {
            out.append("error ").append(e).append('\n');
        }
        try (FileWriter w = new FileWriter(file, true)) {
            w.write(out.toString());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    @Override
    public ClientTelemetryReceiver clientReceiver() {
        return (context, payload) -> write(payload);
    }
}
