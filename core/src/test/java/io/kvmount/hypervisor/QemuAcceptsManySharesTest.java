package io.kvmount.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kvmount.plan.Share;
import io.kvmount.plan.Transport;
import io.kvmount.systemd.UnitName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real QEMU creates every device kvmount prints for many 9p shares, on {@code pc} and {@code
 * q35} with their default devices and a few of the VM's own devices placed after kvmount's (issue
 * 19). QEMU runs stopped ({@code -S}, TCG, no display): it builds the machine, answers {@code info
 * qtree} on its monitor and quits, so no guest boots ({@code info pci} would not do: before the
 * firmware numbers the buses, it lists nothing behind a bridge). Skipped when {@code qemu-system-x86_64} is not
 * installed.
 */
class QemuAcceptsManySharesTest {
  private static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");

  /** The VM's own devices, placed by QEMU after kvmount's: they must still find root-bus slots. */
  private static final List<String> OWN_DEVICES = List.of(
      "-device", "virtio-rng-pci", "-device", "virtio-balloon-pci", "-device", "virtio-serial-pci");

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} machine, {1} shares")
  @CsvSource({"pc, 1", "pc, 28", "pc, 40", "pc, 128", "pc, 256", "q35, 1", "q35, 40", "q35, 128", "q35, 256"})
  void qemuCreatesEveryShareDevice(String machine, int n) throws Exception {
    assumeTrue(Files.isExecutable(QEMU), "qemu-system-x86_64 is not installed");
    List<String> args = new Qemu().arguments(shares(n), Transport.NINE_P,
        HypervisorOptions.defaults().withQemuMachine(machine)).args();

    Result r = run(machine, args);

    assertThat(r.stderr).as("QEMU's stderr").isEmpty();
    assertThat(r.exit).as("QEMU's exit status").isZero();
    int bridges = n > Qemu.MAX_ROOT_BUS_SHARES ? (n + 31) / 32 : 0;
    assertThat(count(r.monitor, "dev: virtio-9p-pci, id \"\"")).isEqualTo(n);
    assertThat(count(r.monitor, "dev: " + (machine.equals("pc") ? "pci-bridge" : "pcie-pci-bridge") + ", id \"kvmount-br"))
        .isEqualTo(bridges);
    for (int b = 1; b <= bridges; b++) {
      assertThat(r.monitor).contains("bus: kvmount-br" + b);
    }
  }

  /** The control: the layout before bridges (every share on the root bus) fails at 40 shares. */
  @ParameterizedTest(name = "{0} machine")
  @CsvSource({"pc", "q35"})
  void withoutBridges40SharesDoNotFit(String machine) throws Exception {
    assumeTrue(Files.isExecutable(QEMU), "qemu-system-x86_64 is not installed");
    List<String> args = new ArrayList<>();
    for (String a : new Qemu().arguments(shares(40), Transport.NINE_P, HypervisorOptions.defaults()).args()) {
      if (a.startsWith("pci-bridge,")) {
        args.remove(args.size() - 1); // its "-device"
        continue;
      }
      args.add(a.replaceAll(",bus=kvmount-br[0-9]+,addr=0x[0-9a-f]+,disable-legacy=on$", ""));
    }

    Result r = run(machine, args);

    assertThat(r.exit).isNotZero();
    assertThat(r.stderr).contains("PCI: no slot/function available for virtio-9p-pci, all in use or reserved");
  }

  private List<Share> shares(int n) throws IOException {
    List<Share> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Path dir = Files.createDirectories(tmp.resolve("v" + i));
      list.add(new Share("v" + i, "v" + i, dir.toString(), i % 3 == 0, new UnitName("mnt-v" + i + ".mount")));
    }
    return list;
  }

  private record Result(int exit, String monitor, String stderr) {}

  private Result run(String machine, List<String> shareArgs) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(QEMU.toString(), "-M", machine, "-S", "-accel", "tcg",
        "-display", "none", "-serial", "none", "-monitor", "stdio"));
    cmd.addAll(shareArgs);
    cmd.addAll(OWN_DEVICES);
    Path out = tmp.resolve("monitor.txt");
    Path err = tmp.resolve("stderr.txt");
    Path in = tmp.resolve("commands.txt");
    Files.writeString(in, "info qtree\nquit\n");
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("QEMU did not quit within 120 s: " + cmd);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int c = 0;
    while (m.find()) {
      c++;
    }
    return c;
  }
}
