package io.kvmount.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The model of {@code generate} built in code ({@link GenerateModel}, the start-up path) against
 * the one picocli builds from {@link GenerateCommand}'s annotations (the reference: full tree,
 * completion, man page): same options, same help, same parsed values, same usage errors.
 */
class GenerateModelTest {

  private static CommandLine annotated(GenerateCommand c) {
    return new CommandLine(c).setCommandName("kvmount generate");
  }

  private static CommandLine built(GenerateCommand c) {
    return GenerateModel.commandLine(c, "kvmount generate");
  }

  @Test
  void sameOptionsInTheSameOrderWithTheSameAttributes() {
    List<OptionSpec> a = annotated(new GenerateCommand()).getCommandSpec().options();
    List<OptionSpec> b = built(new GenerateCommand()).getCommandSpec().options();
    assertThat(names(b)).isEqualTo(names(a));
    assertThat(a).hasSize(31);
    for (int i = 0; i < a.size(); i++) {
      assertThat(describe(b.get(i))).as(a.get(i).longestName()).isEqualTo(describe(a.get(i)));
    }
  }

  @Test
  void usageHelpIsByteIdentical() {
    assertThat(usage(built(new GenerateCommand()), 100)).contains("(default: qemu)", "Always reserved: kvm_9p");
    for (int width : new int[] {55, 80, 100, 160}) {
      assertThat(usage(built(new GenerateCommand()), width))
          .as("width " + width)
          .isEqualTo(usage(annotated(new GenerateCommand()), width))
          .contains("--pod-manifest=FILE", "Exit codes:", "-V, --version");
    }
  }

  @Test
  void versionAndHelpRequestsAreRecognised() {
    CommandLine b = built(new GenerateCommand());
    StringWriter out = new StringWriter();
    b.setOut(new PrintWriter(out));
    assertThat(b.execute("--version")).isZero();
    assertThat(out.toString()).startsWith("kvmount ");
    assertThat(b.getCommandSpec().parser().collectErrors()).isFalse();
    assertThat(b.parseArgs("-h").isUsageHelpRequested()).isTrue();
  }

  /** Every option field, set to a value other than its default, arrives in the same field. */
  @Test
  void everyOptionReachesItsField() throws Exception {
    String[] args = {
      "--pod-manifest", "p.json", "--stage1-rootfs=s1", "--format", "json", "--dry-run",
      "--hypervisor", "kvmtool", "--transport", "virtiofs", "--qemu-machine", "q35", "--share", "pod",
      "--share-dir", "/run/pod1",
      "--units-dir", "etc/systemd/system",
      "--image-manifest", "web=w.json", "--image-manifest", "db=d.json",
      "--oci-bundle", "web=/b/web", "--oci-bundle", "db=/b/db", "--oci-rootfs", "stage1", "--emit", "cmdline", "--security-model", "mapped-xattr",
      "--runtime-dir", "/run/x", "--guest-memory", "2G", "--virtiofsd", "/usr/libexec/virtiofsd",
      "--virtiofsd-sandbox", "chroot", "--virtiofsd-cache", "never", "--9p-msize", "65536",
      "--9p-cache", "loose", "--reserve-tag", "a", "--reserve-tag", "b", "--legacy-remount", "--force",
      "--allow-missing-sources", "-q", "-v", "--stacktrace"
    };
    Map<String, Object> a = parse(true, args);
    Map<String, Object> b = parse(false, args);
    assertThat(b).isEqualTo(a);
    Map<String, Object> defaults = parse(true, "--pod-manifest", "p", "--stage1-rootfs", "s");
    for (Map.Entry<String, Object> e : a.entrySet()) {
      assertThat(e.getValue()).as(e.getKey() + " differs from its default").isNotEqualTo(defaults.get(e.getKey()));
    }
    assertThat(parse(false, "--pod-manifest", "p", "--stage1-rootfs", "s")).isEqualTo(defaults);
  }

  /** Seeded random command lines, valid and not: same values or the same usage error. */
  @Test
  void randomCommandLinesParseAlike() throws Exception {
    String[][] choices = {
      {"--pod-manifest", "x.json"}, {"--pod-manifest=y"}, {"--stage1-rootfs", "r"}, {"--stage1-rootfs="},
      {"--format", "dot"}, {"--format"}, {"--dry-run"}, {"--dry-run=true"}, {"--hypervisor", "qemu"},
      {"--transport=9p"}, {"--share", "pod"}, {"--share-dir=/s"}, {"--share-dir"}, {"--units-dir", "/abs"}, {"--image-manifest", "a=b"}, {"--image-manifest", "nokey"},
      {"--oci-bundle", "a=/b"}, {"--oci-bundle"}, {"--oci-rootfs", "stage1"}, {"--emit", "credentials"}, {"--emit"},
      {"--image-manifest", "a=b", "--image-manifest", "a=c"}, {"--9p-msize", "12x"}, {"--9p-msize", "-1"},
      {"--9p-msize=8192"}, {"--reserve-tag", "t"}, {"--reserve-tag"}, {"-qv"}, {"-vq"}, {"-q"},
      {"--verbose"}, {"--stacktrace"}, {"--unknown"}, {"positional"}, {"--"}, {"-x"}, {"--legacy-remount"},
      {"--pod-manifest"}, {"--9p-cache", "none"}, {"--virtiofsd-sandbox", "none"}, {"--allow-missing-sources"},
      {"--qemu-machine", "q35"}, {"--qemu-machine"}
    };
    Random random = new Random(20261203);
    for (int trial = 0; trial < 400; trial++) {
      List<String> args = new ArrayList<>();
      int n = random.nextInt(8);
      for (int i = 0; i < n; i++) {
        args.addAll(Arrays.asList(choices[random.nextInt(choices.length)]));
      }
      String[] argv = args.toArray(new String[0]);
      assertThat(outcome(false, argv)).as(String.join(" ", argv)).isEqualTo(outcome(true, argv));
    }
  }

  private static String outcome(boolean annotated, String... args) throws Exception {
    try {
      return "parsed " + parse(annotated, args);
    } catch (ParameterException e) {
      return "usage error: " + e.getMessage();
    }
  }

  /** Parses with one model and returns every {@code @Option} field by name. */
  private static Map<String, Object> parse(boolean annotated, String... args) throws Exception {
    GenerateCommand c = new GenerateCommand();
    (annotated ? annotated(c) : built(c)).parseArgs(args);
    Map<String, Object> values = new LinkedHashMap<>();
    fields(c, values);
    fields(c.planArgs, values);
    return values;
  }

  private static void fields(Object o, Map<String, Object> into) throws IllegalAccessException {
    for (Field f : o.getClass().getDeclaredFields()) {
      if (f.isAnnotationPresent(Option.class)) {
        Object v = f.get(o);
        into.put(f.getName(), v instanceof Map || v instanceof List ? v.toString() : v);
      }
    }
  }

  private static List<String> names(List<OptionSpec> options) {
    return options.stream().map(o -> String.join(",", o.names())).collect(Collectors.toList());
  }

  private static List<Object> describe(OptionSpec o) {
    Iterable<String> candidates = o.completionCandidates();
    return Arrays.asList(
        Arrays.asList(o.names()), o.paramLabel(), o.type(), Arrays.asList(o.auxiliaryTypes()), o.arity(),
        o.required(), o.defaultValue(), Arrays.asList(o.description()), o.usageHelp(), o.versionHelp(),
        o.hidden(), o.negatable(), o.splitRegex(), o.interactive(), o.showDefaultValue(), o.fallbackValue(),
        o.mapFallbackValue(), o.hideParamSyntax(), o.inherited(), o.descriptionKey(),
        candidates == null
            ? null
            : StreamSupport.stream(candidates.spliterator(), false).collect(Collectors.toList()));
  }

  private static String usage(CommandLine cl, int width) {
    cl.setUsageHelpWidth(width);
    return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }
}
