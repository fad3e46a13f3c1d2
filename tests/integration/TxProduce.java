/* Writes transactions with the Java client, for kfk's read_committed tests
 * (consume_txn_test.c): kfk has no transactional producer.
 *
 * usage: java TxProduce BOOTSTRAP TOPIC CODEC STEP...
 * A STEP is OP:PARTITIONS:N (PARTITIONS a comma list; N messages go to each):
 *   commit  a transaction, committed
 *   abort   a transaction, aborted
 *   plain   no transaction (a separate idempotent producer)
 *   mixed   a transaction with plain messages written in its middle, aborted
 *   open    a transaction; prints "open", then commits or aborts as the next
 *           line of stdin says
 *   fence   a transaction left open, aborted by a new producer that takes
 *           over the transactional.id
 *   close   a transaction left open when the producer closes (the client
 *           aborts it at shutdown)
 * Prints "msg PARTITION OFFSET VALUE STATE" per message, STATE C (committed),
 * A (aborted) or P (plain), then "done". Keys are the values with a "k-" prefix. */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxProduce {
    private final String bootstrap, topic, codec;
    private KafkaProducer<String, String> tx, plain;

    private TxProduce(String bootstrap, String topic, String codec) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.codec = codec;
    }

    private KafkaProducer<String, String> producer(boolean transactional) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("compression.type", codec);
        p.put("linger.ms", "5");
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        if (transactional) p.put("transactional.id", "kfk-it-tx-" + topic);
        KafkaProducer<String, String> k =
            new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        if (transactional) k.initTransactions();
        return k;
    }

    /* Sends n messages to each partition; the futures come back in order. */
    private List<Future<RecordMetadata>> send(KafkaProducer<String, String> k, int step,
                                              int[] parts, int n, List<String> values) {
        List<Future<RecordMetadata>> out = new ArrayList<>();
        for (int part : parts) {
            for (int i = 0; i < n; i++) {
                String v = "s" + step + "-p" + part + "-" + i + (k == plain ? "-plain" : "");
                values.add(v);
                out.add(k.send(new ProducerRecord<>(topic, part, "k-" + v, v)));
            }
        }
        k.flush();
        return out;
    }

    private static void print(List<Future<RecordMetadata>> fs, List<String> values, String state)
        throws Exception {
        for (int i = 0; i < fs.size(); i++) {
            RecordMetadata md = fs.get(i).get();
            System.out.println("msg " + md.partition() + " " + md.offset() + " " + values.get(i)
                               + " " + state);
        }
        System.out.flush();
    }

    private void step(int step, String op, int[] parts, int n, BufferedReader in)
        throws Exception {
        List<String> values = new ArrayList<>(), plainValues = new ArrayList<>();
        if (op.equals("plain")) {
            print(send(plain, step, parts, n, values), values, "P");
            return;
        }
        tx.beginTransaction();
        List<Future<RecordMetadata>> fs = send(tx, step, parts, n, values);
        switch (op) {
        case "commit":
            tx.commitTransaction();
            print(fs, values, "C");
            break;
        case "abort":
            tx.abortTransaction();
            print(fs, values, "A");
            break;
        case "mixed":
            List<Future<RecordMetadata>> between = send(plain, step, parts, n, plainValues);
            fs.addAll(send(tx, step + 1000, parts, n, values));
            tx.abortTransaction();
            print(fs, values, "A");
            print(between, plainValues, "P");
            break;
        case "open":
            System.out.println("open");
            System.out.flush();
            String answer = in.readLine();
            boolean commit = "commit".equals(answer);
            if (commit) tx.commitTransaction();
            else tx.abortTransaction();
            print(fs, values, commit ? "C" : "A");
            break;
        case "fence":
            print(fs, values, "A");
            KafkaProducer<String, String> next = producer(true); /* aborts tx's transaction */
            tx.close(Duration.ZERO);
            tx = next;
            break;
        case "close":
            print(fs, values, "A");
            tx.close();
            tx = producer(true);
            break;
        default:
            throw new IllegalArgumentException("unknown step " + op);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TxProduce BOOTSTRAP TOPIC CODEC OP:PARTITIONS:N...");
            System.exit(2);
        }
        TxProduce t = new TxProduce(args[0], args[1], args[2]);
        t.tx = t.producer(true);
        t.plain = t.producer(false);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (int i = 3; i < args.length; i++) {
            String[] f = args[i].split(":");
            String[] ps = f[1].split(",");
            int[] parts = new int[ps.length];
            for (int j = 0; j < ps.length; j++) parts[j] = Integer.parseInt(ps[j]);
            t.step(i - 3, f[0], parts, Integer.parseInt(f[2]), in);
        }
        t.tx.close();
        t.plain.close();
        System.out.println("done");
    }
}
