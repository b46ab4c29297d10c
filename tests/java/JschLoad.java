// Loads SSH private keys the way JSch-based Jenkins plugins do (publish-over-ssh and others embed
// com.jcraft:jsch 0.1.55): JSch.addIdentity on the key's bytes, then KeyPair.load for its public half.
// Usage: java -cp jsch-0.1.55.jar:DIR JschLoad KEYFILE...
//   One line per key on stdout: "OK <path> <base64 public key blob>" or "FAIL <path> <reason>".
// Or:    java -cp ... JschLoad --login HOST PORT USER KNOWN_HOSTS KEYFILE
//   Logs in with the key (host key checked against KNOWN_HOSTS), runs `echo logged-in`, prints
//   "OK <output>" or "FAIL <reason>".
// Exit status 0 when every key loaded (or the login worked), 1 otherwise.  Written for vendorci's tests.
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Base64;

public class JschLoad {
    public static void main(String[] args) throws Exception {
        if (args.length == 6 && args[0].equals("--login")) {
            System.exit(login(args[1], Integer.parseInt(args[2]), args[3], args[4], args[5]));
        }
        int failed = 0;
        for (String path : args) {
            byte[] key = Files.readAllBytes(Paths.get(path));
            try {
                JSch jsch = new JSch();
                // the bytes, not the path: JSch must not read NAME.pub beside the key
                jsch.addIdentity(path, key.clone(), null, null);
                KeyPair pair = KeyPair.load(jsch, key.clone(), null);
                if (pair.isEncrypted()) {
                    throw new JSchException("key is encrypted");
                }
                byte[] blob = pair.getPublicKeyBlob();
                if (blob == null) {
                    throw new JSchException("no public key derived");
                }
                System.out.println("OK " + path + " " + Base64.getEncoder().encodeToString(blob));
            } catch (JSchException e) {
                failed++;
                System.out.println("FAIL " + path + " " + e.getMessage());
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    static int login(String host, int port, String user, String knownHosts, String keyFile) throws Exception {
        Session session = null;
        try {
            JSch jsch = new JSch();
            jsch.setKnownHosts(knownHosts);
            jsch.addIdentity(keyFile, java.nio.file.Files.readAllBytes(Paths.get(keyFile)), null, null);
            session = jsch.getSession(user, host, port);
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", "publickey");
            session.connect(20000);
            ChannelExec channel = (ChannelExec) session.openChannel("exec");
            channel.setCommand("echo logged-in");
            InputStream in = channel.getInputStream();
            channel.connect(20000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1024];
            long deadline = System.currentTimeMillis() + 20000;
            while (System.currentTimeMillis() < deadline) {
                while (in.available() > 0) {
                    int n = in.read(buf);
                    if (n < 0) break;
                    out.write(buf, 0, n);
                }
                if (channel.isClosed() && in.available() == 0) break;
                Thread.sleep(50);
            }
            channel.disconnect();
            System.out.println("OK " + out.toString("UTF-8").trim());
            return 0;
        } catch (JSchException e) {
            System.out.println("FAIL " + e.getMessage());
            return 1;
        } finally {
            if (session != null) session.disconnect();
        }
    }
}
