// Starts a real Gerrit 3.9.1 daemon from Gerrit's acceptance-test framework, outside JUnit, for vendorci's tests.
//
// Usage: java -cp FRAMEWORK:PLUGIN_API:BOUNCYCASTLE...:CLASSES GerritLauncher SITE_DIR
//
// Initialises a fresh on-disk site in SITE_DIR (which must not exist or be empty), listening on 127.0.0.1 only
// (free ports picked here), with Lucene indexes and more than one SSH/receive thread; creates the framework's
// `admin` account (HTTP password `http-pass`); then prints ONE line on stdout:
//   GERRIT-READY {"http": PORT, "ssh": PORT, "url": "...", "site": "...", "admin": "admin", "admin_password": "..."}
// and serves until stdin is closed (or the process gets SIGTERM), then stops the daemon cleanly and prints
// GERRIT-STOPPED.  Everything the daemon logs goes to stderr.
//
// `gerrit version` says 3.9.1 only when the class path also holds the resource com/google/gerrit/common/Version
// ("v3.9.1"): the Maven jars lack it and Gerrit then says "(dev)"; the test fixture writes it next to this class.

import com.google.gerrit.acceptance.AccountCreator;
import com.google.gerrit.acceptance.GerritServer;
import com.google.gerrit.acceptance.TestAccount;
import com.google.gerrit.acceptance.UseLocalDisk;
import com.google.gerrit.acceptance.UseSsh;
import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;

public final class GerritLauncher {
  /** Marker class: the framework reads its annotations to pick an on-disk site with SSH. */
  @UseLocalDisk
  @UseSsh
  public static final class Site {}

  private static final String HOST = "127.0.0.1";

  private GerritLauncher() {}

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: GerritLauncher SITE_DIR");
      System.exit(2);
    }
    Path site = Paths.get(args[0]).toAbsolutePath();
    Files.createDirectories(site);
    int http = freePort();
    int ssh = freePort();
    String url = "http://" + HOST + ":" + http + "/";

    Config base = new Config();
    base.setString("gerrit", null, "canonicalWebUrl", url);
    base.setString("httpd", null, "listenUrl", url);
    base.setString("sshd", null, "listenAddress", HOST + ":" + ssh);
    base.setString("index", null, "type", "lucene");

    GerritServer.Description desc =
        GerritServer.Description.forTestClass(
            org.junit.runner.Description.createSuiteDescription(Site.class), null);
    GerritServer.init(desc, base, site);

    // The framework forces one SSH and one receive thread, too few for a stream-events session plus commands.
    FileBasedConfig cfg =
        new FileBasedConfig(site.resolve("etc").resolve("gerrit.config").toFile(), FS.DETECTED);
    cfg.load();
    cfg.setInt("sshd", null, "threads", 8);
    cfg.setInt("sshd", null, "commandStartThreads", 4);
    cfg.setInt("sshd", null, "batchThreads", 2);
    cfg.setInt("receive", null, "threadPoolSize", 4);
    cfg.setString("index", null, "type", "lucene");
    cfg.setString("sshd", null, "listenAddress", HOST + ":" + ssh);
    cfg.setString("httpd", null, "listenUrl", url);
    cfg.setString("gerrit", null, "canonicalWebUrl", url);
    cfg.save();

    GerritServer server = GerritServer.start(desc, base, site, null, null, null, null);
    AccountCreator accounts = server.getTestInjector().getInstance(AccountCreator.class);
    TestAccount admin = accounts.admin();

    AtomicBoolean stopped = new AtomicBoolean(false);
    Runnable stop =
        () -> {
          if (stopped.compareAndSet(false, true)) {
            try {
              server.close();
            } catch (Exception e) {
              e.printStackTrace();
            }
            System.out.println("GERRIT-STOPPED");
            System.out.flush();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "gerrit-launcher-stop"));

    System.out.println(
        "GERRIT-READY {\"http\": " + http + ", \"ssh\": " + ssh + ", \"url\": " + quote(url)
            + ", \"site\": " + quote(site.toString()) + ", \"admin\": " + quote(admin.username())
            + ", \"admin_password\": " + quote(admin.httpPassword()) + ", \"admin_email\": "
            + quote(admin.email()) + ", \"version\": "
            + quote(com.google.gerrit.common.Version.getVersion()) + "}");
    System.out.flush();

    InputStream in = System.in;
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) {
      // serve until the parent closes our stdin
    }
    stop.run();
    System.exit(0);
  }
}
