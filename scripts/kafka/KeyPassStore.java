// Rewrites a PKCS#12 keystore so that its private key has a password of
// its own, as Java allows (keytool refuses -keypass for PKCS#12): the store
// keeps its password, the key entry takes the other. For the tests of
// ssl.key.password with ssl.keystore.type=PKCS12 (scripts/kafka/secure.sh).
//   java KeyPassStore.java IN.p12 STORE_PASSWORD KEY_PASSWORD OUT.p12
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.util.Collections;

public class KeyPassStore {
    public static void main(String[] args) throws Exception {
        char[] store = args[1].toCharArray(), key = args[2].toCharArray();
        KeyStore in = KeyStore.getInstance("PKCS12");
        try (FileInputStream f = new FileInputStream(args[0])) {
            in.load(f, store);
        }
        KeyStore out = KeyStore.getInstance("PKCS12");
        out.load(null, null);
        for (String alias : Collections.list(in.aliases())) {
            if (in.isKeyEntry(alias)) {
                out.setKeyEntry(alias, in.getKey(alias, store), key, in.getCertificateChain(alias));
            }
        }
        try (FileOutputStream f = new FileOutputStream(args[3])) {
            out.store(f, store);
        }
    }
}
