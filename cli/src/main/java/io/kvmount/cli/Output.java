package io.kvmount.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kvmount.Kvmount;
import io.kvmount.apply.ApplyResult;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.PlannedUnit;
import io.kvmount.plan.Planner;
import io.kvmount.plan.ResolvedMount;
import io.kvmount.hostshare.ShareChanges;
import io.kvmount.plan.PodShare;
import io.kvmount.plan.Share;
import io.kvmount.plan.ShareStrategy;
import io.kvmount.plan.VolumeKind;
import io.kvmount.systemd.UnitName;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import io.kvmount.plan.Route;
import io.kvmount.sealed.Fstab;
import io.kvmount.sealed.FstabEntry;
import io.kvmount.sealed.GuestSystemd;
import io.kvmount.sealed.Handover;
import io.kvmount.sealed.ImageEntry;
import io.kvmount.sealed.MountExtra;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Renders a generation as a text report, JSON, a plain argument list or a Graphviz graph. */
final class Output {
  private Output() {}

  /** Path of a planned file relative to the stage1 rootfs: {@code usr/lib/systemd/system/x.mount}. */
  static String unitPath(Plan plan, PlannedFile f) {
    return plan.unitsDir().resolve(f.path()).relativeString();
  }

  static void json(PrintWriter out, Kvmount.Generation g, List<String> warnings, Path stage1, boolean dryRun)
      throws IOException {
    json(out, g, warnings, stage1, dryRun, null);
  }

  /**
   * The {@code share} object: the strategy and, for the pod share, its host directory, where the
   * guest mounts it, and the host bind of every volume in it.
   */
  private static void writeShareJson(
      JsonGenerator j, Plan plan, Optional<ShareChanges> hostShare, String hostShareError) throws IOException {
    Map<String, Path> real = hostShare.isPresent() ? hostShare.get().realSources() : Map.of();
    j.writeObjectFieldStart("share");
    if (plan.podShare().isEmpty()) {
      j.writeStringField("strategy", ShareStrategy.PER_VOLUME.id());
    } else {
      PodShare ps = plan.podShare().get();
      j.writeStringField("strategy", ShareStrategy.POD.id());
      j.writeStringField("dir", ps.shareDir());
      j.writeStringField("guestPath", ps.guestPath().toString());
      j.writeArrayFieldStart("binds");
      for (PodShare.Entry e : ps.entries()) {
        j.writeStartObject();
        j.writeStringField("volume", e.volume());
        j.writeStringField("path", ps.shareDir() + "/" + e.name());
        j.writeStringField("source", e.source());
        Path realSource = real.get(e.name());
        if (realSource != null) {
          j.writeStringField("realSource", realSource.toString());
        } else {
          j.writeNullField("realSource");
        }
        j.writeStringField("kind", e.file() ? "file" : "directory");
        j.writeBooleanField("readOnly", e.readOnly());
        j.writeBooleanField("recursive", e.recursive());
        j.writeEndObject();
      }
      j.writeEndArray();
      if (hostShare.isPresent()) {
        j.writeArrayFieldStart("hostChanges");
        for (String line : hostShare.get().lines()) {
          j.writeString(line);
        }
        j.writeEndArray();
      } else {
        j.writeNullField("hostChanges");
        j.writeStringField("hostChangesError", hostShareError == null ? "" : hostShareError);
      }
    }
    j.writeEndObject();
  }

  /**
   * The text report's pod share part on the host: what the run changed there, or what a dry run
   * would change, or why a dry run could not tell. Prints nothing without a pod share.
   */
  static void hostShareText(
      PrintWriter out, Kvmount.Generation g, boolean dryRun, Optional<ShareChanges> hostShare, String error) {
    if (!g.plan().hostMountPointsToCreate().isEmpty()) {
      out.println();
      out.println("Mount points in bundle rootfs and bind sources, created on the host where missing (as runc"
          + " does):");
      Table t = new Table("PATH", "KIND", "FOR");
      for (io.kvmount.plan.PlannedHostMountPoint h : g.plan().hostMountPointsToCreate()) {
        t.row(h.hostPath(), h.file() ? "file" : "directory", h.origin());
      }
      t.print(out, "  ");
    }
    if (g.plan().podShare().isEmpty()) {
      return;
    }
    String dir = g.plan().podShare().get().shareDir();
    out.println();
    out.println((dryRun ? "Changes a run would make on the host in the pod share " : "Host changes in the pod share ")
        + dir + ":");
    if (hostShare.isEmpty()) {
      out.println("  none: generate would fail: " + ExitCodes.oneLine(error == null ? "" : error));
      return;
    }
    List<String> lines = hostShare.get().lines();
    if (lines.isEmpty()) {
      out.println("  none");
    }
    for (String line : lines) {
      out.println("  " + ExitCodes.oneLine(line));
    }
  }

  /** As above, for a plan without a pod share. */
  static void json(
      PrintWriter out, Kvmount.Generation g, List<String> warnings, Path stage1, boolean dryRun,
      DryRunChanges changes) throws IOException {
    json(out, g, warnings, stage1, dryRun, changes, Optional.empty(), null);
  }

  /**
   * As above; a dry run's {@code changes} field last when {@code changes} is given. With a pod
   * share, its binds carry their sources' real paths and {@code share.hostChanges} lists what
   * the run changed (or would change) on the host, or is null beside {@code
   * share.hostChangesError}.
   */
  static void json(
      PrintWriter out, Kvmount.Generation g, List<String> warnings, Path stage1, boolean dryRun,
      DryRunChanges changes, Optional<ShareChanges> hostShare, String hostShareError) throws IOException {
    Plan plan = g.plan();
    JsonGenerator j = new JsonFactory().createGenerator(out);
    j.useDefaultPrettyPrinter();
    j.writeStartObject();
    j.writeStringField("hypervisor", g.hypervisor());
    j.writeStringField("transport", g.transport().id());
    j.writeStringField("emit", g.handover().map(h -> h.plan().route().id()).orElse("units"));
    writeShareJson(j, plan, hostShare, hostShareError);
    if (!g.plan().hostMountPointsToCreate().isEmpty()) {
      j.writeArrayFieldStart("hostMountPoints");
      for (io.kvmount.plan.PlannedHostMountPoint h : g.plan().hostMountPointsToCreate()) {
        j.writeStartObject();
        j.writeStringField("path", h.hostPath());
        j.writeStringField("kind", h.file() ? "file" : "directory");
        j.writeStringField("origin", h.origin());
        j.writeEndObject();
      }
      j.writeEndArray();
    }
    j.writeStringField("stage1Rootfs", stage1.toString());
    j.writeBooleanField("dryRun", dryRun);
    j.writeArrayFieldStart("hypervisorArgs");
    for (String a : g.arguments().args()) {
      j.writeString(a);
    }
    j.writeEndArray();
    j.writeArrayFieldStart("daemons");
    for (List<String> d : g.arguments().daemons()) {
      j.writeStartArray();
      for (String a : d) {
        j.writeString(a);
      }
      j.writeEndArray();
    }
    j.writeEndArray();
    if (g.arguments().virtiofs().isPresent()) {
      writeVirtiofsJson(j, g.arguments().virtiofs().get());
    }
    // A sealed route writes no unit file and no directory: both lists are empty.
    boolean sealed = g.handover().isPresent();
    j.writeArrayFieldStart("units");
    for (PlannedFile f : sealed ? List.<PlannedFile>of() : plan.files()) {
      j.writeStartObject();
      j.writeStringField("name", f.path().toString());
      j.writeStringField("path", unitPath(plan, f));
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeArrayFieldStart("directories");
    for (PlannedDirectory d : sealed ? List.<PlannedDirectory>of() : plan.directories()) {
      j.writeStartObject();
      j.writeStringField("path", d.path().relativeString());
      j.writeStringField("mode", d.mode().toString());
      j.writeNumberField("uid", d.uid());
      j.writeNumberField("gid", d.gid());
      j.writeBooleanField("managed", d.managed());
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeArrayFieldStart("shares");
    for (Share s : plan.shares()) {
      j.writeStartObject();
      j.writeStringField("volume", s.volume());
      j.writeStringField("tag", s.tag());
      j.writeStringField("source", s.source());
      j.writeBooleanField("readOnly", s.readOnly());
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeArrayFieldStart("mounts");
    for (ResolvedMount m : plan.mounts()) {
      j.writeStartObject();
      j.writeStringField("app", m.app());
      j.writeStringField("volume", m.volume());
      j.writeStringField("kind", m.kind().id());
      if (m.source().isPresent()) {
        j.writeStringField("source", m.source().get());
      } else {
        j.writeNullField("source");
      }
      j.writeStringField("path", m.path().toString());
      j.writeStringField("where", m.target().toString());
      j.writeBooleanField("readOnly", m.readOnly());
      j.writeStringField("unit", m.unit().value());
      j.writeStringField("origin", m.origin());
      if (m.note().isPresent()) {
        j.writeStringField("note", m.note().get());
      }
      if (m.fsType().isPresent()) {
        j.writeStringField("fsType", m.fsType().get());
      }
      if (m.copyUpFrom().isPresent()) {
        j.writeStringField("copyUpFrom", m.copyUpFrom().get().toString());
      }
      if (!m.options().isEmpty()) {
        j.writeArrayFieldStart("options");
        for (String o : m.options()) {
          j.writeString(o);
        }
        j.writeEndArray();
      }
      j.writeEndObject();
    }
    j.writeEndArray();
    if (g.handover().isPresent()) {
      writeSealedJson(j, g.handover().get());
    }
    j.writeArrayFieldStart("warnings");
    for (String w : warnings) {
      j.writeString(w);
    }
    j.writeEndArray();
    if (changes != null) {
      changes.writeJson(j);
    }
    j.writeEndObject();
    j.flush();
    out.println();
  }

  /**
   * The {@code sealed} field of a sealed route: the route, the fstab entries, the credential's text
   * or the kernel words with their size, the guest's systemd, and what the image must contain.
   */
  private static void writeSealedJson(JsonGenerator j, Handover h) throws IOException {
    j.writeObjectFieldStart("sealed");
    j.writeStringField("route", h.plan().route().id());
    if (h.guestSystemd().isPresent()) {
      j.writeNumberField("guestSystemd", h.guestSystemd().getAsInt());
    } else {
      j.writeNullField("guestSystemd");
    }
    j.writeArrayFieldStart("fstab");
    for (FstabEntry e : h.plan().entries()) {
      j.writeStartObject();
      j.writeStringField("unit", e.unit().value());
      j.writeStringField("what", e.mount().what());
      j.writeStringField("where", e.mount().where().toString());
      j.writeStringField("type", e.mount().type());
      j.writeArrayFieldStart("options");
      for (String o : e.options()) {
        j.writeString(o);
      }
      j.writeEndArray();
      j.writeEndObject();
    }
    j.writeEndArray();
    if (h.fstab().isPresent()) {
      j.writeObjectFieldStart("credential");
      j.writeStringField("name", Fstab.CREDENTIAL);
      j.writeStringField("text", h.fstab().get());
      j.writeEndObject();
    }
    if (!h.cmdline().isEmpty()) {
      j.writeArrayFieldStart("kernelCmdline");
      for (String w : h.cmdline()) {
        j.writeString(w);
      }
      j.writeEndArray();
      j.writeNumberField("kernelCmdlineBytes", MountExtra.size(h.cmdline()));
    }
    j.writeArrayFieldStart("imageMustContain");
    for (ImageEntry e : h.plan().imageMustContain()) {
      j.writeStartObject();
      j.writeStringField("path", e.path());
      j.writeStringField("kind", e.kind().word());
      j.writeStringField("origin", e.origin());
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeEndObject();
  }

  /** Says in a few words how the guest gets its mounts, for a report's or graph's title. */
  static String routeWords(Kvmount.Generation g) {
    if (g.handover().isEmpty()) {
      return "unit files";
    }
    return g.handover().get().plan().route() == Route.CREDENTIALS ? "fstab.extra credential" : "kernel command line";
  }

  static void args(PrintWriter out, Kvmount.Generation g) {
    for (String a : g.arguments().args()) {
      out.println(a);
    }
  }

  /**
   * The report {@code --format text} prints: per app a table of its mounts (target, volume, kind,
   * source, access, bind unit); the shares; the empty volumes; the files written; the hypervisor
   * arguments and daemons, shell-quoted, ready to paste.
   */
  static void text(PrintWriter out, Kvmount.Generation g, Path stage1, boolean dryRun, ApplyResult result) {
    TextReport.render(g, stage1, dryRun).print(out, result);
  }

  /**
   * The text report, cut where it depends on what was written: everything but the files' status
   * is rendered from the generation alone, so {@code generate} renders it while the plan is being
   * applied and prints it afterwards. Immutable once rendered.
   */
  static final class TextReport {
    private final Plan plan;
    private final String head;
    private final String tail;
    /** Per planned file: its path relative to the stage1 rootfs, and its line without a status. */
    private final String[] keys;
    private final String[] lines;

    /** The sealed route's section, printed in place of the files; null for unit files. */
    private String sealed;

    private TextReport(Plan plan, String head, String tail, String[] keys, String[] lines) {
      this.plan = plan;
      this.head = head;
      this.tail = tail;
      this.keys = keys;
      this.lines = lines;
    }

    /** Renders every part of the report that does not depend on the apply result. */
    static TextReport render(Kvmount.Generation g, Path stage1, boolean dryRun) {
      java.io.StringWriter h = new java.io.StringWriter(1 << 16);
      PrintWriter hw = new PrintWriter(h);
      head(hw, g, stage1, dryRun);
      hw.flush();
      java.io.StringWriter t = new java.io.StringWriter(1 << 12);
      PrintWriter tw = new PrintWriter(t);
      tail(tw, g);
      tw.flush();
      Plan plan = g.plan();
      String[] keys = new String[plan.files().size()];
      String[] lines = new String[keys.length];
      for (int i = 0; i < keys.length; i++) {
        PlannedFile f = plan.files().get(i);
        keys[i] = unitPath(plan, f);
        lines[i] = "  " + f.path();
      }
      TextReport r = new TextReport(plan, h.toString(), t.toString(), keys, lines);
      if (g.handover().isPresent()) {
        java.io.StringWriter sw = new java.io.StringWriter(1 << 12);
        PrintWriter spw = new PrintWriter(sw);
        sealedText(spw, g.handover().get(), stage1);
        spw.flush();
        r.sealed = sw.toString();
      }
      return r;
    }

    /** Prints the whole report; {@code result} is null for a dry run. */
    void print(PrintWriter out, ApplyResult result) {
      out.print(head);
      if (sealed != null) {
        out.print(sealed);
      } else {
        files(out, result);
      }
      out.print(tail);
    }

    private void files(PrintWriter out, ApplyResult result) {
      out.println();
      int written = result == null ? 0 : result.written().size();
      int unchanged = result == null ? 0 : result.unchanged().size();
      out.println("Files in " + plan.unitsDir().relativeString() + "/"
          + (result == null ? "" : " (" + written + " written, " + unchanged + " unchanged)") + ":");
      if (plan.files().isEmpty()) {
        out.println("  none");
      }
      // Every planned file written (the result lists each planned file once at most), as on every
      // run into a new stage1 rootfs: no look-ups. Otherwise sets, not the result's lists: a
      // lookup per file must not scan every file (11,000 files).
      boolean allWritten = result != null && written == keys.length && unchanged == 0;
      java.util.Set<String> writtenSet =
          result == null || allWritten ? java.util.Set.of() : new java.util.HashSet<>(result.written());
      java.util.Set<String> unchangedSet =
          result == null || allWritten ? java.util.Set.of() : new java.util.HashSet<>(result.unchanged());
      for (int i = 0; i < keys.length; i++) {
        String state = "";
        if (allWritten) {
          state = "  (written)";
        } else if (result != null) {
          String p = keys[i];
          state = writtenSet.contains(p) ? "  (written)" : unchangedSet.contains(p) ? "  (unchanged)" : "";
        }
        out.print(lines[i]);
        out.println(state);
      }
      if (result != null && !result.volumesCopied().isEmpty()) {
        out.println("Volumes made as a copy of the image's content (Docker images):");
        for (String r : result.volumesCopied()) {
          out.println("  " + r);
        }
      }
      if (result != null && !result.removed().isEmpty()) {
        out.println("Removed (written by an earlier run, no longer in the pod):");
        for (String r : result.removed()) {
          out.println("  " + r);
        }
      }
    }
  }

  /**
   * The sealed route's part of the text report: the route and the guest systemd it needs, the
   * fstab lines (credential) or kernel words (command line), and what the image must contain.
   */
  private static void sealedText(PrintWriter out, Handover h, Path stage1) {
    Route route = h.plan().route();
    out.println();
    out.println("Route: --emit " + route.id() + ": nothing is written into " + stage1 + "; the guest's"
        + " systemd-fstab-generator makes the mounts (systemd " + GuestSystemd.MIN_VERSION + " or newer; the image has "
        + (h.guestSystemd().isPresent() ? "systemd " + h.guestSystemd().getAsInt() : "no systemd kvmount could find")
        + ")");
    if (route == Route.CREDENTIALS) {
      out.println();
      out.println("Credential " + Fstab.CREDENTIAL + " (in the hypervisor arguments below; "
          + h.plan().entries().size() + " fstab line(s)):");
      for (String line : h.fstab().orElse("").split("\n", -1)) {
        if (!line.isEmpty()) {
          out.println("  " + line);
        }
      }
    } else {
      out.println();
      out.println("Kernel command line (" + MountExtra.size(h.cmdline()) + " of " + MountExtra.MAX_CMDLINE_BYTES
          + " bytes; add these words to the guest kernel's command line, e.g. QEMU -append):");
      for (String w : h.cmdline()) {
        out.println("  " + w);
      }
    }
    out.println();
    out.println("The image must contain (checked in " + stage1 + "; `kvmount verify --emit " + route.id()
        + "` checks the services too):");
    Table t = new Table("PATH", "KIND", "FOR");
    for (ImageEntry e : h.plan().imageMustContain()) {
      t.row(e.path(), e.kind().word(), e.origin());
    }
    if (h.plan().imageMustContain().isEmpty()) {
      out.println("  nothing");
    } else {
      t.print(out, "  ");
    }
  }

  private static void head(PrintWriter out, Kvmount.Generation g, Path stage1, boolean dryRun) {
    Plan plan = g.plan();
    boolean sealed = g.handover().isPresent();
    out.println("kvmount " + (dryRun ? "plan (dry run: nothing written)" : "generated") + " for stage1 rootfs "
        + stage1 + " (" + g.hypervisor() + ", " + g.transport().id()
        + (sealed ? ", " + routeWords(g) + ": nothing written into the stage1 rootfs" : "") + ")");

    Map<String, List<ResolvedMount>> byApp = new LinkedHashMap<>();
    for (ResolvedMount m : plan.mounts()) {
      byApp.computeIfAbsent(m.app(), k -> new ArrayList<>()).add(m);
    }
    if (byApp.isEmpty()) {
      out.println();
      out.println("No app mounts a volume: nothing to do.");
    }
    for (Map.Entry<String, List<ResolvedMount>> e : byApp.entrySet()) {
      appTable(out, e.getKey(), e.getValue(), g);
    }

    out.println();
    if (plan.shares().isEmpty()) {
      out.println("Shares: none (the pod has no host volumes)");
    } else {
      out.println("Shares (" + g.transport().id() + "; each tag is in the hypervisor arguments and the share unit's"
          + " What=):");
      Table t = new Table("VOLUME", "TAG", "SOURCE", "ACCESS", "UNIT");
      for (Share s : plan.shares()) {
        t.row(s.volume(), s.tag(), s.source(), s.readOnly() ? "read-only" : "read-write", s.unit().value());
      }
      t.print(out, "  ");
    }
    if (plan.podShare().isPresent()) {
      PodShare ps = plan.podShare().get();
      out.println();
      out.println("Pod share " + ps.shareDir() + " (host binds kvmount mounts there; the guest mounts the share at "
          + ps.guestPath() + "):");
      Table t = new Table("VOLUME", "HOST BIND", "SOURCE", "KIND", "ACCESS", "SUBMOUNTS");
      for (PodShare.Entry e : ps.entries()) {
        t.row(e.volume(), ps.shareDir() + "/" + e.name(), e.source(), e.file() ? "file" : "directory",
            e.readOnly() ? "read-only" : "read-write", e.file() ? "-" : e.recursive() ? "shared" : "hidden");
      }
      t.print(out, "  ");
    }

    List<PlannedDirectory> empty = new ArrayList<>();
    for (PlannedDirectory d : plan.directories()) {
      if (d.managed()) {
        empty.add(d);
      }
    }
    if (!empty.isEmpty()) {
      out.println();
      out.println(sealed
          ? "Empty volumes (tmpfs mounts, as a sealed image has no writable directory for them; mode and owner exact):"
          : "Empty volumes (directories in the stage1 rootfs; mode and owner applied exactly):");
      Table t = new Table("VOLUME", sealed ? "TMPFS" : "DIRECTORY", "MODE", "OWNER");
      for (PlannedDirectory d : empty) {
        t.row(d.path().fileName(), sealed ? d.path().toString() : d.path().relativeString(), d.mode().toString(),
            d.uid() + ":" + d.gid());
      }
      t.print(out, "  ");
    }

    if (!plan.hostMountPoints().isEmpty()) {
      out.println();
      out.println("Must exist on the host before the pod starts:");
      for (Plan.HostMountPoint h : plan.hostMountPoints()) {
        out.println("  " + h.path() + "  (" + h.reason() + ")");
      }
    }
  }

  /**
   * An app's mounts in the order the guest makes them: each mount before every mount inside it
   * (systemd mounts a parent first), the plan's order otherwise. Stable: a list already in that
   * order (an OCI bundle's, a manifest that gives parents first) comes back unchanged.
   *
   * @param mounts one app's mounts, in plan order
   * @return the same mounts, parents before children
   */
  static List<ResolvedMount> mountOrder(List<ResolvedMount> mounts) {
    List<ResolvedMount> out = new ArrayList<>(mounts.size());
    for (ResolvedMount m : mounts) {
      int at = out.size();
      for (int i = 0; i < out.size(); i++) {
        if (m.target().contains(out.get(i).target())) {
          at = i; // before the first one placed inside it
          break;
        }
      }
      out.add(at, m);
    }
    return out;
  }

  /** One app's heading and table of mounts (its own method: compiled early for a large pod). */
  private static void appTable(PrintWriter out, String app, List<ResolvedMount> mounts, Kvmount.Generation g) {
    out.println();
    boolean sealed = g.handover().isPresent();
    out.println("App " + app + ": " + app + ".service requires its mounts through "
        + (sealed ? "x-systemd.required-by= in their fstab lines" : "the drop-in " + app + ".service.d/"
            + Planner.DROP_IN_NAME));
    String emptyAt = sealed ? "tmpfs at " + g.handover().get().plan().route().mountRoot() + "/" : "/mnt/";
    Table t = new Table("TARGET", "VOLUME", "KIND", "SOURCE", "ACCESS", "UNIT");
    for (ResolvedMount m : mountOrder(mounts)) {
      String appRoot = "/opt/stage2/" + m.app() + "/rootfs";
      String target = m.path().toString();
      if (!m.path().isRoot() && !m.target().toString().equals(appRoot + m.path())) {
        String resolved = m.target().toString();
        target += " -> " + (resolved.startsWith(appRoot + "/") ? resolved.substring(appRoot.length()) : resolved);
      }
      t.row(target, m.volume(), m.kind().id(),
          m.source().isPresent() ? m.source().get() : emptyAt + m.volume() + (sealed ? "" : " in stage1"),
          (m.readOnly() ? "read-only" : "read-write") + (m.options().isEmpty() ? "" : " " + String.join(",", m.options())),
          m.unit().value());
    }
    t.print(out, "  ");
  }

  private static void tail(PrintWriter out, Kvmount.Generation g) {
    out.println();
    if (g.arguments().args().isEmpty()) {
      out.println("Hypervisor arguments (" + g.hypervisor() + "): none");
    } else {
      out.println("Hypervisor arguments (" + g.hypervisor() + ", shell-quoted):");
      out.println(commandLines(g.arguments().args()));
    }
    if (!g.arguments().daemons().isEmpty()) {
      out.println();
      out.println("Daemons to start before the VM:");
      for (List<String> d : g.arguments().daemons()) {
        out.println(commandLines(d));
      }
    }
    if (g.arguments().virtiofs().isPresent()) {
      io.kvmount.hypervisor.VirtiofsSetup v = g.arguments().virtiofs().get();
      out.println();
      out.println("virtio-fs: each daemon creates its socket in " + v.runtimeDir() + " (this pod's own):");
      for (io.kvmount.hypervisor.VirtiofsSetup.Socket s : v.sockets()) {
        out.println("  " + s.path() + "  tag " + s.tag() + (s.readOnly() ? "  read-only" : ""));
      }
      out.println("The guest's memory is shared with the daemons; these arguments set it up, and the VM's own memory"
          + " size must be " + v.guestMemory() + " (--guest-memory SIZE changes both):");
      out.println(commandLines(v.memoryArgs()));
    }
  }

  /**
   * The {@code virtiofs} object: the runtime directory, the shared memory (the VM's own memory must
   * be {@code guestMemory}) and, per daemon, the socket it creates.
   */
  private static void writeVirtiofsJson(JsonGenerator j, io.kvmount.hypervisor.VirtiofsSetup v) throws IOException {
    j.writeObjectFieldStart("virtiofs");
    j.writeStringField("runtimeDir", v.runtimeDir());
    j.writeStringField("guestMemory", v.guestMemory());
    j.writeArrayFieldStart("memoryArgs");
    for (String a : v.memoryArgs()) {
      j.writeString(a);
    }
    j.writeEndArray();
    j.writeArrayFieldStart("daemons");
    for (io.kvmount.hypervisor.VirtiofsSetup.Socket s : v.sockets()) {
      j.writeStartObject();
      j.writeStringField("tag", s.tag());
      j.writeStringField("socket", s.path());
      j.writeStringField("sharedDir", s.sharedDir());
      j.writeBooleanField("readOnly", s.readOnly());
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeEndObject();
  }

  /** Shell-quoted words, a new continued line before each option ({@code -x}, {@code --x}). */
  static String commandLines(List<String> words) {
    StringBuilder sb = new StringBuilder("  ");
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (i > 0) {
        sb.append(w.startsWith("-") ? " \\\n    " : " ");
      }
      sb.append(shellQuote(w));
    }
    return sb.toString();
  }

  /** A plain text table: columns padded to their widest cell, the last column not padded. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(String... cells) {
      rows.add(cells);
    }

    void print(PrintWriter out, String indent) {
      int n = rows.get(0).length;
      int[] width = new int[n];
      for (String[] r : rows) {
        for (int i = 0; i < n; i++) {
          width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
        }
      }
      int line = indent.length();
      for (int w : width) {
        line += w + 2;
      }
      // One builder for every row (a 1,000-app report has 10,000 rows).
      StringBuilder sb = new StringBuilder(line);
      for (String[] r : rows) {
        sb.setLength(0);
        sb.append(indent);
        for (int i = 0; i < n; i++) {
          sb.append(r[i]);
          if (i < n - 1) {
            for (int pad = width[i] - r[i].codePointCount(0, r[i].length()) + 2; pad > 0; pad--) {
              sb.append(' ');
            }
          }
        }
        int end = sb.length();
        while (end > 0 && Character.isWhitespace(sb.charAt(end - 1))) {
          end--;
        }
        sb.setLength(end);
        out.println(sb);
      }
    }
  }

  /**
   * The Graphviz graph {@code --format dot} prints: volumes, then the share units that mount host
   * volumes at {@code /mnt/<volume>}, the bind units that mount them into apps (and legacy remount
   * services), and the app services. Edges point from what is needed to what needs it, and are
   * the plan's record of the {@code Requires=} of its units and drop-ins ({@link
   * PlannedUnit#requires()}), so the graph shows what the guest's systemd will do. Deterministic:
   * same plan, same bytes.
   */
  static void dot(PrintWriter out, Kvmount.Generation g) {
    Plan plan = g.plan();
    out.println("digraph kvmount {");
    out.println("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, label="
        + dq("kvmount: pod volumes (" + g.hypervisor() + ", " + g.transport().id() + ", " + routeWords(g) + ")")
        + "];");
    out.println("  node [fontname=\"Helvetica\", fontsize=10];");
    out.println("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];");

    // Volumes.
    Map<String, VolumeKind> kinds = new LinkedHashMap<>();
    Map<String, String> hostSources = new HashMap<>();
    if (plan.podShare().isPresent()) {
      for (PodShare.Entry e : plan.podShare().get().entries()) {
        kinds.put(e.volume(), VolumeKind.HOST);
        hostSources.put(e.volume(), e.source());
      }
    } else {
      for (Share s : plan.shares()) {
        kinds.put(s.volume(), VolumeKind.HOST);
        hostSources.put(s.volume(), s.source());
      }
    }
    for (ResolvedMount m : plan.mounts()) {
      if (m.kind() != VolumeKind.FILESYSTEM) { // a guest filesystem is no volume: its unit says what it is
        kinds.putIfAbsent(m.volume(), m.kind());
      }
    }
    for (PlannedDirectory d : plan.directories()) {
      if (d.managed()) {
        kinds.putIfAbsent(d.path().fileName(), VolumeKind.EMPTY);
      }
    }
    out.println();
    out.println("  // volumes");
    for (Map.Entry<String, VolumeKind> v : kinds.entrySet()) {
      String label;
      boolean host = v.getValue() == VolumeKind.HOST;
      if (host) {
        String source = hostSources.get(v.getKey());
        label = "volume " + v.getKey() + "\n" + "host " + (source == null ? "" : source);
      } else {
        PlannedDirectory d = plan.directories().stream()
            .filter(x -> x.managed() && x.path().fileName().equals(v.getKey())).findFirst().orElse(null);
        label = "volume " + v.getKey() + "\n" + "empty" + (d == null ? "" : " " + d.mode() + " " + d.uid() + ":" + d.gid());
      }
      out.println("  " + dq("volume:" + v.getKey()) + " [shape=folder, style=filled, fillcolor=\""
          + (host ? "#dbe9f6" : "#eeeeee") + "\", label=" + dq(label) + "];");
    }

    // Units and their requirements, as the plan records them (the units' Requires= lines). A
    // drop-in's requirements belong to the unit it extends; requirements of one unit from two
    // files are joined in file order, as systemd joins them.
    Set<UnitName> unitFiles = new HashSet<>();
    Map<UnitName, List<UnitName>> requires = new LinkedHashMap<>();
    for (PlannedUnit u : plan.units()) {
      if (u.role() != PlannedUnit.Role.APP_SERVICE) {
        unitFiles.add(u.name());
      }
      requires.computeIfAbsent(u.name(), k -> new ArrayList<>()).addAll(u.requires());
    }
    out.println();
    if (plan.podShare().isPresent()) {
      PodShare ps = plan.podShare().get();
      String unit = ps.share().unit().value();
      out.println("  // the pod share: host binds into " + ps.shareDir() + ", one share unit at " + ps.guestPath());
      out.println("  " + dq("unit:" + unit) + " [shape=box, style=filled, fillcolor=\"#fdf2d0\", label="
          + dq(unit + "\n" + g.transport().id() + " tag " + ps.share().tag() + " at " + ps.guestPath()
              + "\npod share " + ps.shareDir()) + "];");
      for (PodShare.Entry e : ps.entries()) {
        out.println("  " + dq("volume:" + e.volume()) + " -> " + dq("unit:" + unit) + " [label="
            + dq("host bind " + e.name() + (e.readOnly() ? " (ro)" : "") + (e.recursive() ? "" : " (non-recursive)"))
            + "];");
      }
    }
    String root = g.handover().map(h -> h.plan().route().mountRoot()).orElse(Route.UNITS.mountRoot()).toString();
    out.println("  // share units: mount a host volume's tag at " + root + "/<volume>");
    for (Share s : plan.podShare().isPresent() ? List.<Share>of() : plan.shares()) {
      String unit = s.unit().value();
      out.println("  " + dq("unit:" + unit) + " [shape=box, style=filled, fillcolor=\"#fdf2d0\", label="
          + dq(unit + "\n" + g.transport().id() + " tag " + s.tag() + " at " + root + "/" + s.volume()
              + (s.readOnly() ? " (ro)" : "")) + "];");
      out.println("  " + dq("volume:" + s.volume()) + " -> " + dq("unit:" + unit) + ";");
    }
    out.println();
    // A sealed route mounts each empty volume as a tmpfs of its own, which its binds require.
    Map<String, FstabEntry> emptyTmpfs = new HashMap<>();
    if (g.handover().isPresent()) {
      out.println("  // empty volumes: a tmpfs each at " + root + "/<volume> (a sealed image has no writable directory)");
      for (PlannedDirectory d : plan.directories()) {
        for (FstabEntry e : g.handover().get().plan().entries()) {
          if (d.managed() && e.mount().where().equals(d.path()) && e.mount().type().equals("tmpfs")) {
            emptyTmpfs.put(d.path().fileName(), e);
            out.println("  " + dq("unit:" + e.unit().value()) + " [shape=box, style=filled, fillcolor=\"#fdf2d0\","
                + " label=" + dq(e.unit().value() + "\ntmpfs at " + d.path() + " (mode " + d.mode() + ", " + d.uid()
                    + ":" + d.gid() + ")") + "];");
            out.println("  " + dq("volume:" + d.path().fileName()) + " -> " + dq("unit:" + e.unit().value()) + ";");
          }
        }
      }
    }
    out.println("  // bind units: mount " + root + "/<volume> into an app's rootfs");
    for (ResolvedMount m : plan.mounts()) {
      String unit = m.unit().value();
      out.println("  " + dq("unit:" + unit) + " [shape=box, style=\"rounded,filled\", fillcolor=\"#e3f1df\", label="
          + dq(unit + "\n" + m.app() + ": " + m.path() + (m.fsType().isPresent() ? " " + m.fsType().get() : "")
              + (m.readOnly() ? " (ro)" : "")) + "];");
      if (m.kind() == VolumeKind.EMPTY) {
        FstabEntry tmpfs = emptyTmpfs.get(m.volume());
        out.println("  " + dq(tmpfs == null ? "volume:" + m.volume() : "unit:" + tmpfs.unit().value()) + " -> "
            + dq("unit:" + unit) + ";");
      }
    }
    for (PlannedUnit u : plan.units()) {
      if (u.role() == PlannedUnit.Role.REMOUNT || u.role() == PlannedUnit.Role.COPY_UP
          || u.role() == PlannedUnit.Role.PATHS) {
        String name = u.name().value();
        String what = switch (u.role()) {
          case REMOUNT -> "remount read-only";
          case COPY_UP -> "copy up (tmpcopyup)";
          default -> "masked and read-only paths";
        };
        out.println("  " + dq("unit:" + name) + " [shape=box, style=\"rounded,dashed\", label=" + dq(name + "\n" + what)
            + "];");
      }
    }
    out.println();
    out.println("  // app services: each requires its mounts through "
        + (g.handover().isPresent() ? "x-systemd.required-by= in the fstab lines" : "a drop-in"));
    for (UnitName unit : requires.keySet()) {
      if (!unitFiles.contains(unit)) {
        String name = unit.value();
        out.println("  " + dq("unit:" + name) + " [shape=component, style=filled, fillcolor=\"#f6dbe0\", label="
            + dq(name + "\napp " + name.substring(0, name.length() - ".service".length())) + "];");
      }
    }
    out.println();
    out.println("  // Requires= (from what is needed to what needs it)");
    for (Map.Entry<UnitName, List<UnitName>> e : requires.entrySet()) {
      for (UnitName r : e.getValue()) {
        out.println("  " + dq("unit:" + r.value()) + " -> " + dq("unit:" + e.getKey().value()) + ";");
      }
    }
    out.println("}");
  }

  /**
   * A DOT double-quoted string: {@code "} and backslashes escaped, so that unit names such as
   * {@code mnt-my\\x2ddata.mount} show as written; a line break becomes DOT's {@code \\n}; other
   * control characters become spaces.
   */
  static String dq(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(' ');
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /** Quotes a word for a POSIX shell when it needs quoting. */
  static String shellQuote(String s) {
    if (!s.isEmpty() && isShellSafe(s)) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Whether every character is one of {@code A-Za-z0-9_./=:,@%+-} (no regular expression per word). */
  private static boolean isShellSafe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || "_./=:,@%+-".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
