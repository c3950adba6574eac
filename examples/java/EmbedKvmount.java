import io.kvmount.Kvmount;
import io.kvmount.manifest.PodManifest;
import io.kvmount.verify.VerifyOptions;
import io.kvmount.verify.VerifyReport;
import java.nio.file.Path;

/**
 * Gives a VM pod its volumes from Java: writes the units into the stage1 rootfs, checks them, and
 * prints the QEMU arguments, one per line. Usage: {@code EmbedKvmount POD_MANIFEST STAGE1_ROOTFS}.
 */
public final class EmbedKvmount {
  public static void main(String[] args) throws Exception {
    PodManifest pod = Kvmount.readPod(Path.of(args[0]));
    Path stage1 = Path.of(args[1]);

    Kvmount.Generation g = Kvmount.plan(pod, stage1); // QEMU, 9p, default options
    g.warnings().forEach(w -> System.err.println("warning: " + w));
    Kvmount.checkHostSources(g.plan()); // every host volume's source exists
    Kvmount.apply(g.plan(), stage1); // atomic, idempotent, confined to stage1

    VerifyReport report = Kvmount.verify(stage1, VerifyOptions.against(g.plan()));
    report.findings().forEach(f -> System.err.println("problem: " + f));
    if (!report.clean()) {
      System.exit(3);
    }
    g.arguments().args().forEach(System.out::println); // append to the QEMU command line
  }
}
