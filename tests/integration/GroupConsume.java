/* A Java group member with group.protocol=consumer (KIP-848), for kfk's
 * mixed-group test (group_consumer_protocol_test.c).
 *
 * usage: java GroupConsume BOOTSTRAP TOPIC GROUP
 * Prints "assigned N" after each assignment change (N partitions held),
 * "msg PARTITION OFFSET VALUE" per message, and commits after every poll
 * and before giving partitions up. A line "stop" on stdin makes it commit,
 * leave the group (close) and print "done". */
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class GroupConsume {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("group.id", args[2]);
        p.put("group.protocol", "consumer");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        KafkaConsumer<String, String> c =
            new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        Set<TopicPartition> held = new HashSet<>();
        c.subscribe(List.of(args[1]), new ConsumerRebalanceListener() {
            public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                c.commitSync();
                held.removeAll(parts);
                System.out.println("assigned " + held.size());
                System.out.flush();
            }

            public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                held.addAll(parts);
                System.out.println("assigned " + held.size());
                System.out.flush();
            }
        });
        StringBuilder line = new StringBuilder();
        for (;;) {
            ConsumerRecords<String, String> rs = c.poll(Duration.ofMillis(100));
            for (ConsumerRecord<String, String> r : rs)
                System.out.println("msg " + r.partition() + " " + r.offset() + " " + r.value());
            System.out.flush();
            if (!rs.isEmpty()) c.commitSync();
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
                    return;
                }
                line.setLength(0);
            }
        }
    }
}
