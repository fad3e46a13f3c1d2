// Runs the Java client's assignors on cases read from stdin and prints the
// result in the format tests/interop/assignor_driver.c prints, so the two can
// be diffed. Each member's subscription goes through ConsumerProtocol bytes
// (serialize at the member's version, deserialize) as a real leader sees it.
//
// Input, one case:
//   case <assignor>
//   topic <name> <partitions> <racks: "-", or per partition "a|b" ("_": none)
//         joined by ";">
//   member <id> <instance|-> <rack|-> <generation> <userdata hex|-> <version>
//          <topics "a,b" or -> <owned "a:0,1/b:2" or ->
//   end
// Output per case: "case N", one line per member "<id> <a:0,1;b:2 or ->",
// then "sub <id> <hex>" and "asg <id> <hex>" (assignment at version 3).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.*;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.*;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

public class AssignorCheck {
    static String hex(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        ByteBuffer d = b.duplicate();
        while (d.hasRemaining()) sb.append(String.format("%02x", d.get() & 0xff));
        return sb.length() == 0 ? "-" : sb.toString();
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++)
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    static ConsumerPartitionAssignor assignor(String name) {
        switch (name) {
            case "range": return new RangeAssignor();
            case "roundrobin": return new RoundRobinAssignor();
            case "cooperative-sticky": return new CooperativeStickyAssignor();
            default: throw new IllegalArgumentException(name);
        }
    }

    static String format(List<TopicPartition> tps) {
        List<TopicPartition> l = new ArrayList<>(tps);
        l.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        StringBuilder sb = new StringBuilder();
        String last = null;
        for (TopicPartition tp : l) {
            if (!tp.topic().equals(last)) {
                if (last != null) sb.append(';');
                sb.append(tp.topic()).append(':');
                last = tp.topic();
            } else {
                sb.append(',');
            }
            sb.append(tp.partition());
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    public static void main(String[] args) throws Exception {
        // Kafka logs (conflicting claims are logged at ERROR) must not mix
        // with the results: the logger binds System.out when first used.
        PrintStream results = System.out;
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        int caseNo = 0;
        String name = null;
        List<PartitionInfo> parts = new ArrayList<>();
        List<String> memberOrder = new ArrayList<>();
        Map<String, Subscription> subs = new HashMap<>();
        StringBuilder bytes = new StringBuilder();
        Map<String, Node> nodes = new HashMap<>();
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "case":
                    name = f[1];
                    parts.clear();
                    memberOrder.clear();
                    subs = new HashMap<>();
                    bytes.setLength(0);
                    break;
                case "topic": {
                    int n = Integer.parseInt(f[2]);
                    String[] racks = f[3].equals("-") ? null : f[3].split(";", -1);
                    for (int p = 0; p < n; p++) {
                        List<Node> reps = new ArrayList<>();
                        if (racks != null && !racks[p].equals("_"))
                            for (String r : racks[p].split("\\|"))
                                reps.add(nodes.computeIfAbsent(r, k -> new Node(nodes.size(), "h", 1, k)));
                        Node[] arr = reps.toArray(new Node[0]);
                        parts.add(new PartitionInfo(f[1], p, arr.length > 0 ? arr[0] : Node.noNode(), arr, arr));
                    }
                    break;
                }
                case "member": {
                    String id = f[1];
                    List<String> topics = f[7].equals("-") ? new ArrayList<>() : Arrays.asList(f[7].split(","));
                    List<TopicPartition> owned = new ArrayList<>();
                    if (!f[8].equals("-"))
                        for (String tpart : f[8].split("/")) {
                            String[] tp = tpart.split(":");
                            for (String p : tp[1].split(",")) owned.add(new TopicPartition(tp[0], Integer.parseInt(p)));
                        }
                    ByteBuffer ud = f[5].equals("-") ? null : ByteBuffer.wrap(f[5].equals("empty") ? new byte[0] : unhex(f[5]));
                    Subscription s = new Subscription(topics, ud, owned, Integer.parseInt(f[4]),
                        f[3].equals("-") ? Optional.empty() : Optional.of(f[3]));
                    ByteBuffer wire = ConsumerProtocol.serializeSubscription(s, Short.parseShort(f[6]));
                    bytes.append("sub ").append(id).append(' ').append(hex(wire)).append('\n');
                    Subscription seen = ConsumerProtocol.deserializeSubscription(wire.duplicate());
                    seen.setGroupInstanceId(f[2].equals("-") ? Optional.empty() : Optional.of(f[2]));
                    subs.put(id, seen);
                    memberOrder.add(id);
                    break;
                }
                case "end": {
                    Cluster cluster = new Cluster("c", new ArrayList<>(nodes.values()), parts,
                        Collections.emptySet(), Collections.emptySet());
                    StringBuilder out = new StringBuilder("case " + caseNo++ + "\n");
                    try {
                        GroupAssignment ga = assignor(name).assign(cluster, new GroupSubscription(subs));
                        for (String id : memberOrder) {
                            Assignment a = ga.groupAssignment().get(id);
                            List<TopicPartition> l = a == null ? new ArrayList<>() : new ArrayList<>(a.partitions());
                            l.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
                            out.append(id).append(' ').append(format(l)).append('\n');
                            bytes.append("asg ").append(id).append(' ')
                                .append(hex(ConsumerProtocol.serializeAssignment(new Assignment(l), (short) 3))).append('\n');
                        }
                    } catch (RuntimeException e) {
                        e.printStackTrace();
                        out.append("error\n");
                    }
                    results.print(out);
                    results.print(bytes);
                    break;
                }
                default:
                    break;
            }
        }
        results.flush();
    }
}
