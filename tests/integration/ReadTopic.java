/* Reads a whole topic with the Java client, for the transaction tests
 * (txn_*_test.c, tests/failover/txn_failover_test.c): the reference for
 * what a read_committed (or read_uncommitted) consumer sees.
 *
 * usage: java ReadTopic BOOTSTRAP TOPIC PARTITIONS ISOLATION
 * Assigns partitions 0..PARTITIONS-1 from the beginning and reads each up
 * to its end offset at start (the last stable offset under read_committed).
 * Prints "msg PARTITION OFFSET VALUE KEY" per record, then "done"; exits 1
 * if the end is not reached within 60 s. */
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ReadTopic {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ReadTopic BOOTSTRAP TOPIC PARTITIONS ISOLATION");
            System.exit(2);
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", args[0]);
        p.put("isolation.level", args[3]);
        p.put("enable.auto.commit", "false");
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[2]); i++) parts.add(new TopicPartition(args[1], i));
        try (KafkaConsumer<String, String> c =
                 new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long until = System.currentTimeMillis() + 60000;
            for (;;) {
                boolean all = true;
                for (TopicPartition tp : parts) all &= c.position(tp) >= end.get(tp);
                if (all) break;
                if (System.currentTimeMillis() > until) {
                    System.err.println("ReadTopic: end not reached: " + end);
                    System.exit(1);
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100)))
                    System.out.println("msg " + r.partition() + " " + r.offset() + " " + r.value()
                                       + " " + r.key());
            }
        }
        System.out.println("done");
    }
}
