package io.kvmount.verify;

import io.kvmount.path.RelativePath;
import io.kvmount.verify.Finding.Check;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real {@code systemd-analyze verify --man=no --generators=no} on kvmount's units.
 *
 * <p>The units are copied into a fresh temporary directory (so that the stage1 rootfs's other
 * units, and the host's view of it, do not matter), with a stand-in {@code <app>.service}
 * ({@code ExecStart=/bin/true}) for every app that has a drop-in: the drop-ins are verified
 * through it, so a unit they require that does not exist is reported. Every line {@code
 * systemd-analyze} prints that names one of the copied units or the temporary directory becomes a
 * finding, with the temporary directory replaced by the units directory; lines about other units
 * (the host's own, which {@code systemd-analyze} loads too) are counted in a note.
 *
 * <p>This checks with the host's systemd version, which may differ from the guest's.
 */
final class SystemdAnalyze {

  /** How long {@code systemd-analyze} may take. */
  static final long TIMEOUT_SECONDS = 60;

  private static final String STAND_IN = "[Service]\nExecStart=/bin/true\n";

  /**
   * The findings and notes of one run.
   *
   * @param findings the lines about kvmount's units
   * @param notes why it did not run, or how many lines were about other units
   */
  record Result(List<Finding> findings, List<String> notes) {}

  private SystemdAnalyze() {}

  /** Finds {@code systemd-analyze} on {@code PATH}. */
  static Optional<Path> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, "systemd-analyze");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Verifies units.
   *
   * @param files the units and drop-ins, paths relative to the units directory, with their bytes
   * @param unitsDirName the units directory relative to the stage1 rootfs, for messages
   * @return findings and notes
   * @throws IOException if the temporary directory cannot be written or {@code systemd-analyze}
   *     cannot be started
   */
  static Result verify(Map<RelativePath, byte[]> files, String unitsDirName) throws IOException {
    Optional<Path> exe = find();
    if (exe.isEmpty()) {
      return new Result(List.of(), List.of("systemd-analyze not found on PATH; its check was skipped"));
    }
    if (files.isEmpty()) {
      return new Result(List.of(), List.of());
    }
    Path tmp = Files.createTempDirectory("kvmount-verify-");
    try {
      List<String> args = new ArrayList<>();
      Map<String, String> names = new LinkedHashMap<>();
      for (Map.Entry<RelativePath, byte[]> e : files.entrySet()) {
        RelativePath rel = e.getKey();
        Path p = tmp.resolve(rel.toString());
        Files.createDirectories(p.getParent());
        Files.write(p, e.getValue());
        if (rel.components().size() == 1) {
          args.add(p.toString());
          names.put(rel.fileName(), unitsDirName + "/" + rel.fileName());
        }
      }
      for (RelativePath rel : files.keySet()) {
        String dir = rel.components().get(0);
        if (rel.components().size() == 2 && dir.endsWith(".service.d")) {
          String service = dir.substring(0, dir.length() - 2);
          Path sp = tmp.resolve(service);
          if (!Files.exists(sp)) {
            Files.writeString(sp, STAND_IN, StandardCharsets.UTF_8);
            args.add(sp.toString());
            // A stand-in: findings about it concern the drop-in directory.
            names.put(service, unitsDirName + "/" + dir);
          }
        }
      }
      if (args.isEmpty()) {
        return new Result(List.of(), List.of());
      }
      List<String> cmd = new ArrayList<>(List.of(exe.get().toString(), "verify", "--man=no", "--generators=no"));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().put("SYSTEMD_COLORS", "0");
      pb.environment().put("SYSTEMD_LOG_COLOR", "0");
      pb.environment().put("SYSTEMD_LOG_LOCATION", "0");
      pb.environment().put("SYSTEMD_PAGER", "cat");
      Process proc = pb.start();
      proc.getOutputStream().close();
      byte[] out = proc.getInputStream().readAllBytes();
      int exit;
      try {
        if (!proc.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          proc.destroyForcibly();
          return new Result(
              List.of(new Finding(Check.SYSTEMD_ANALYZE, "", "did not finish within " + TIMEOUT_SECONDS + " s")),
              List.of());
        }
        exit = proc.exitValue();
      } catch (InterruptedException e) {
        proc.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for systemd-analyze", e);
      }
      return interpret(new String(out, StandardCharsets.UTF_8), exit, tmp.toString(), names, unitsDirName);
    } finally {
      deleteTree(tmp);
    }
  }

  /** Turns {@code systemd-analyze}'s output into findings; see the class description. */
  static Result interpret(String output, int exit, String tmp, Map<String, String> names, String unitsDirName) {
    List<Finding> findings = new ArrayList<>();
    int other = 0;
    for (String raw : output.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      boolean ours = line.contains(tmp);
      String text = line.replace(tmp + "/", unitsDirName + "/").replace(tmp, unitsDirName);
      String path = "";
      for (Map.Entry<String, String> e : names.entrySet()) {
        String n = e.getKey();
        String copied = unitsDirName + "/" + n + ":";
        if (text.startsWith(copied) || text.startsWith(n + ":")) {
          path = e.getValue();
          text = text.substring(text.startsWith(copied) ? copied.length() : n.length() + 1).strip();
          ours = true;
          break;
        }
        if (text.contains(n)) {
          ours = true;
        }
      }
      if (ours) {
        findings.add(new Finding(Check.SYSTEMD_ANALYZE, path, text));
      } else {
        other++;
      }
    }
    List<String> notes = new ArrayList<>();
    if (other > 0) {
      notes.add("systemd-analyze printed " + other + " line(s) about units that are not kvmount's; ignored");
    }
    if (exit != 0 && findings.isEmpty()) {
      findings.add(new Finding(Check.SYSTEMD_ANALYZE, "", "exited with status " + exit + " without naming a kvmount unit"));
    }
    return new Result(findings, notes);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
