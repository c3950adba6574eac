package io.kvmount.bench;

import io.kvmount.Kvmount;
import io.kvmount.hypervisor.Hypervisor;
import io.kvmount.hypervisor.HypervisorOptions;
import io.kvmount.hypervisor.Hypervisors;
import io.kvmount.manifest.ManifestReader;
import io.kvmount.manifest.PodManifest;
import io.kvmount.plan.MountResolver;
import io.kvmount.plan.PlanOptions;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.Transport;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * In-process cost of kvmount's pure steps on synthetic pods of 10, 100 and 1,000 apps, 10 mounts
 * each, over 100 host volumes (the layout of {@code bench/gen-pod.sh}, see {@link Pods}):
 *
 * <ul>
 *   <li>{@code parse}: manifest bytes to {@link PodManifest} (jackson-core streaming, validation);
 *   <li>{@code resolve}: {@link MountResolver#resolve} (volumes, mount points, read-only);
 *   <li>{@code plan}: {@link Kvmount#plan} with no stage1 rootfs (resolve, mount tags, units
 *       serialised to text, hypervisor arguments);
 *   <li>{@code parsePlanSerialise}: all of it, then every unit file encoded to UTF-8 bytes, as
 *       the writer writes them.
 * </ul>
 *
 * Times are per operation (one whole pod) in microseconds, sampled (the percentiles, not only the
 * mean, so that a shared, overloaded machine shows as a spread rather than as one inflated
 * figure: quote p0.50, and p0.00 as the closest to the undisturbed cost); linear scaling shows as
 * a 10x step in time for each 10x step in apps. Run: {@code mvn -Pbench -pl bench -am package -DskipTests} and
 * {@code java -jar bench/target/benchmarks.jar}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class PodBenchmark {

  /** Apps in the pod (10 mounts each, 100 host volumes). */
  @Param({"10", "100", "1000"})
  public int apps;

  private byte[] json;
  private PodManifest pod;
  private Hypervisor qemu;

  /**
   * Builds the pod's JSON and parses it once.
   *
   * @throws Exception if the synthetic pod is rejected (a bug in {@link Pods})
   */
  @Setup
  public void setUp() throws Exception {
    json = Pods.json(apps, 10, 100, "/srv/volumes").getBytes(StandardCharsets.UTF_8);
    pod = ManifestReader.readPod(json, "pod.json");
    qemu = Hypervisors.byName("qemu");
    if (Kvmount.plan(pod, Map.of(), qemu, Transport.NINE_P, PlanOptions.defaults(), HypervisorOptions.defaults(), null)
            .plan().files().size()
        != apps * 11 + 100) {
      throw new IllegalStateException("unexpected plan size for " + apps + " apps");
    }
  }

  /**
   * Parses the manifest.
   *
   * @return the manifest
   * @throws Exception never for this pod
   */
  @Benchmark
  public PodManifest parse() throws Exception {
    return ManifestReader.readPod(json, "pod.json");
  }

  /**
   * Resolves every app's mounts.
   *
   * @return the resolution
   * @throws Exception never for this pod
   */
  @Benchmark
  public MountResolver.Resolution resolve() throws Exception {
    return MountResolver.resolve(pod, Map.of());
  }

  /**
   * Plans the pod for QEMU and 9p.
   *
   * @return the generation
   * @throws Exception never for this pod
   */
  @Benchmark
  public Kvmount.Generation plan() throws Exception {
    return Kvmount.plan(pod, Map.of(), qemu, Transport.NINE_P, PlanOptions.defaults(), HypervisorOptions.defaults(), null);
  }

  /**
   * Parses, plans and encodes every unit file.
   *
   * @param bh sink for the encoded files
   * @throws Exception never for this pod
   */
  @Benchmark
  public void parsePlanSerialise(Blackhole bh) throws Exception {
    PodManifest p = ManifestReader.readPod(json, "pod.json");
    Kvmount.Generation g =
        Kvmount.plan(p, Map.of(), qemu, Transport.NINE_P, PlanOptions.defaults(), HypervisorOptions.defaults(), null);
    for (PlannedFile f : g.plan().files()) {
      bh.consume(f.content().getBytes(StandardCharsets.UTF_8));
    }
    bh.consume(g.arguments());
  }
}
