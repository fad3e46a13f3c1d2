import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;

public class ErrorsTsv {
    public static void main(String[] a) {
        System.out.println("code\tname\tretriable\tmessage");
        for (Errors e : Errors.values()) {
            boolean retriable = e.exception() instanceof RetriableException;
            String msg = e.message() == null ? "" : e.message().replace('\t', ' ').replace('\n', ' ');
            if (e == Errors.NONE) msg = "";
            System.out.println(e.code() + "\t" + e.name() + "\t" + (retriable ? "yes" : "no") + "\t" + msg);
        }
    }
}
