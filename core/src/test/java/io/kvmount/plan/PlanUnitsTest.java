package io.kvmount.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmount.plan.testing.Golden;
import io.kvmount.systemd.UnitFile;
import io.kvmount.systemd.UnitName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The plan's record of its units ({@link Plan#units()}) says what the rendered files say: for
 * every golden case, with and without legacy remount, each file's unit name, role and {@code
 * Requires=} (read back with kvmount's unit-file parser) equal the plan's structure, so the graph
 * and reports that read the structure can never drift from the units systemd reads.
 */
class PlanUnitsTest {

  @TestFactory
  Stream<DynamicTest> unitsAndEdges_equalTheRenderedFiles() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path c : Golden.cases()) {
      for (boolean legacy : new boolean[] {false, true}) {
        String name = c.getFileName() + (legacy ? " (legacy remount)" : "");
        tests.add(DynamicTest.dynamicTest(name, () -> check(c, legacy)));
      }
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  private static void check(Path caseDir, boolean legacy) throws Exception {
    Plan plan;
    try {
      plan = Planner.plan(GoldenTest.pod(caseDir), GoldenTest.images(caseDir),
          PlanOptions.defaults().withLegacyRemount(legacy), GuestFs.EMPTY);
    } catch (PlanException e) {
      return; // a case whose expectation is the error: nothing planned
    }
    assertThat(plan.units()).hasSameSizeAs(plan.files());
    List<UnitName> shareUnits = new ArrayList<>();
    List<UnitName> bindUnits = new ArrayList<>();
    int remounts = 0;
    for (int i = 0; i < plan.files().size(); i++) {
      PlannedFile f = plan.files().get(i);
      PlannedUnit u = plan.units().get(i);
      assertThat(u.file()).isEqualTo(f.path());
      if (f.path().depth() == 2) {
        assertThat(u.role()).as(f.path().toString()).isEqualTo(PlannedUnit.Role.APP_SERVICE);
        assertThat(f.path().components().get(0)).isEqualTo(u.name().value() + ".d");
        assertThat(f.path().fileName()).isEqualTo(Planner.DROP_IN_NAME);
      } else {
        assertThat(f.path().depth()).isEqualTo(1);
        assertThat(u.name().value()).isEqualTo(f.path().fileName());
        assertThat(u.role()).as(f.path().toString()).isNotEqualTo(PlannedUnit.Role.APP_SERVICE);
      }
      UnitFile file = UnitFile.parse(f.content());
      assertThat(u.requires()).as("Requires= of %s", f.path())
          .extracting(UnitName::value).isEqualTo(requires(file));
      String type = file.section("Mount").map(s -> String.join(",", s.values("Type"))).orElse("");
      String options = file.section("Mount").map(s -> String.join(",", s.values("Options"))).orElse("");
      switch (u.role()) {
        case SHARE:
          assertThat(type).isIn("9p", "virtiofs");
          shareUnits.add(u.name());
          break;
        case BIND:
          assertThat(Arrays.asList(options.split(","))).contains("bind");
          bindUnits.add(u.name());
          break;
        case REMOUNT:
          assertThat(u.name().value()).endsWith("-remount.service");
          assertThat(file.section("Service")).isPresent();
          remounts++;
          break;
        default:
          assertThat(file.section("Mount")).isEmpty();
      }
    }
    // The shares and mounts name the same units, in the same order.
    assertThat(shareUnits).isEqualTo(plan.shares().stream().map(Share::unit).toList());
    assertThat(bindUnits).isEqualTo(plan.mounts().stream().map(ResolvedMount::unit).toList());
    assertThat(remounts).isEqualTo(legacy ? plan.mounts().stream().filter(ResolvedMount::readOnly).count() : 0);
  }

  /** A unit's Requires=, as systemd reads them (whitespace-separated; an empty value resets). */
  private static List<String> requires(UnitFile f) {
    List<String> out = new ArrayList<>();
    for (String v : f.section("Unit").map(s -> s.values("Requires")).orElse(List.of())) {
      if (v.isBlank()) {
        out.clear();
      } else {
        out.addAll(Arrays.asList(v.trim().split("[ \t]+")));
      }
    }
    return out;
  }
}
