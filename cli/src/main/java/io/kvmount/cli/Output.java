package io.kvmount.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kvmount.Kvmount;
import io.kvmount.apply.ApplyResult;
import io.kvmount.plan.Plan;
import io.kvmount.plan.PlannedDirectory;
import io.kvmount.plan.PlannedFile;
import io.kvmount.plan.ResolvedMount;
import io.kvmount.plan.Share;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Renders a generation as text, JSON or a plain argument list. */
final class Output {
  private Output() {}

  /** Path of a planned file relative to the stage1 rootfs: {@code usr/lib/systemd/system/x.mount}. */
  static String unitPath(Plan plan, PlannedFile f) {
    return plan.unitsDir().resolve(f.path()).relativeString();
  }

  static void json(PrintWriter out, Kvmount.Generation g, List<String> warnings, Path stage1, boolean dryRun)
      throws IOException {
    Plan plan = g.plan();
    JsonGenerator j = new JsonFactory().createGenerator(out);
    j.useDefaultPrettyPrinter();
    j.writeStartObject();
    j.writeStringField("hypervisor", g.hypervisor());
    j.writeStringField("transport", g.transport().id());
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
    j.writeArrayFieldStart("units");
    for (PlannedFile f : plan.files()) {
      j.writeStartObject();
      j.writeStringField("name", f.path().relativeString());
      j.writeStringField("path", unitPath(plan, f));
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeArrayFieldStart("directories");
    for (PlannedDirectory d : plan.directories()) {
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
      j.writeStringField("kind", m.kind());
      if (m.source() != null) {
        j.writeStringField("source", m.source());
      } else {
        j.writeNullField("source");
      }
      j.writeStringField("path", m.path().toString());
      j.writeStringField("where", m.target().toString());
      j.writeBooleanField("readOnly", m.readOnly());
      j.writeStringField("unit", m.unit());
      j.writeStringField("origin", m.origin());
      j.writeEndObject();
    }
    j.writeEndArray();
    j.writeArrayFieldStart("warnings");
    for (String w : warnings) {
      j.writeString(w);
    }
    j.writeEndArray();
    j.writeEndObject();
    j.flush();
    out.println();
  }

  static void args(PrintWriter out, Kvmount.Generation g) {
    for (String a : g.arguments().args()) {
      out.println(a);
    }
  }

  static void text(PrintWriter out, Kvmount.Generation g, Path stage1, boolean dryRun, ApplyResult result) {
    Plan plan = g.plan();
    out.println((dryRun ? "Plan (dry run, nothing written) for stage1 rootfs " : "Stage1 rootfs ") + stage1);
    out.println();
    String currentApp = null;
    if (plan.mounts().isEmpty()) {
      out.println("No app mounts.");
    }
    for (ResolvedMount m : plan.mounts()) {
      if (!m.app().equals(currentApp)) {
        currentApp = m.app();
        out.println("App " + m.app() + " (" + m.app() + ".service, drop-in " + m.app() + ".service.d/"
            + io.kvmount.plan.Planner.DROP_IN_NAME + ")");
      }
      out.println("  " + m.path() + (m.readOnly() ? "  read-only" : "  read-write"));
      out.println("    volume " + m.volume() + " (" + m.kind()
          + (m.source() != null ? ", source " + m.source() : ", /mnt/" + m.volume() + " in the stage1 rootfs") + ")");
      if (!m.target().toString().equals("/opt/stage2/" + m.app() + "/rootfs" + m.path())) {
        out.println("    resolved through symlinks to " + m.target());
      }
      out.println("    unit " + m.unit());
    }
    out.println();
    if (plan.shares().isEmpty()) {
      out.println("Shares: none (no host volumes)");
    } else {
      out.println("Shares (" + g.hypervisor() + ", " + g.transport().id() + "):");
      for (Share s : plan.shares()) {
        out.println("  " + s.volume() + "  tag " + s.tag() + "  " + s.source() + (s.readOnly() ? "  read-only" : ""));
      }
    }
    out.println();
    out.println("Directories:");
    for (PlannedDirectory d : plan.directories()) {
      out.println("  " + d.mode() + " " + d.uid() + ":" + d.gid() + "  " + d.path()
          + (d.managed() ? "  (empty volume)" : ""));
    }
    out.println();
    out.println("Units in " + plan.unitsDir().relativeString() + "/:");
    for (PlannedFile f : plan.files()) {
      String state = "";
      if (result != null) {
        String p = unitPath(plan, f);
        state = result.written().contains(p) ? "  (written)" : result.unchanged().contains(p) ? "  (unchanged)" : "";
      }
      out.println("  " + f.path().relativeString() + state);
    }
    if (result != null && !result.removed().isEmpty()) {
      out.println("Removed (no longer in the pod):");
      for (String r : result.removed()) {
        out.println("  " + r);
      }
    }
    out.println();
    if (g.arguments().args().isEmpty()) {
      out.println("Hypervisor arguments: none");
    } else {
      out.println("Hypervisor arguments (" + g.hypervisor() + ", shell-quoted):");
      StringBuilder sb = new StringBuilder("  ");
      for (String a : g.arguments().args()) {
        sb.append(shellQuote(a)).append(' ');
      }
      out.println(sb.toString().stripTrailing());
    }
    for (List<String> d : g.arguments().daemons()) {
      StringBuilder sb = new StringBuilder("  ");
      for (String a : d) {
        sb.append(shellQuote(a)).append(' ');
      }
      out.println("Daemon:");
      out.println(sb.toString().stripTrailing());
    }
  }

  /** Quotes a word for a POSIX shell when it needs quoting. */
  static String shellQuote(String s) {
    if (!s.isEmpty() && s.matches("[A-Za-z0-9_./=:,@%+-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
