/* A Java share-group member (KafkaShareConsumer, KIP-932, implicit
 * acknowledgement), for kfk's mixed share-group test (share_java_test.c).
 *
 * usage: java ShareConsume BOOTSTRAP TOPIC GROUP
 * Prints "polling" after its first poll, then "msg DELIVERY_COUNT VALUE"
 * per record. A line "stop" on stdin makes it commit its acknowledgements,
 * close and print "done". */
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ShareConsume {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("group.id", args[2]);
        p.put("max.poll.records", "100");
        KafkaShareConsumer<String, String> c =
            new KafkaShareConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(args[1]));
        StringBuilder line = new StringBuilder();
        boolean first = true;
        for (;;) {
            ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(100));
            if (first) {
                System.out.println("polling");
                first = false;
            }
            for (ConsumerRecord<String, String> r : rs)
                System.out.println("msg " + r.deliveryCount().orElse((short) 0) + " " + r.value());
            System.out.flush();
            while (System.in.available() > 0) {
                int ch = System.in.read();
                if (ch != '\n') {
                    line.append((char) ch);
                    continue;
                }
                if (line.toString().equals("stop")) {
                    c.commitSync();
                    c.close();
                    System.out.println("done");
                    System.out.flush();
                    return;
                }
                line.setLength(0);
            }
        }
    }
}
