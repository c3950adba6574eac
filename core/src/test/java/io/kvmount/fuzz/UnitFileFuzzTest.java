package io.kvmount.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kvmount.systemd.UnitException;
import io.kvmount.systemd.UnitFile;
import io.kvmount.systemd.UnitName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the unit-file parser and the builder/serializer. {@link #parse}: any bytes (read as
 * UTF-8) parse or are refused with a {@link UnitException}, within {@link
 * Contract#MAX_NANOS_PER_INPUT}. {@link #builderRoundTrip}: whatever the builder accepts, {@code
 * UnitFile.parse(f.serialize()).sections()} equals {@code f.sections()} (the class's promise).
 */
class UnitFileFuzzTest {

  @FuzzTest(maxDuration = "25s")
  void parse(byte[] text) {
    long start = System.nanoTime();
    try {
      UnitFile.Parsed p = UnitFile.parseWithWarnings(new String(text, StandardCharsets.UTF_8));
      assertThat(p.unit().sections()).isNotNull();
    } catch (UnitException e) {
      Contract.oneLineMessage(e);
    }
    Contract.withinTimeBound(start, "UnitFile.parse");
  }

  @FuzzTest(maxDuration = "25s")
  void builderRoundTrip(FuzzedDataProvider data) {
    UnitFile.Builder b = UnitFile.builder();
    int n = data.consumeInt(0, 3);
    for (int i = 0; i < n; i++) {
      b.comment(data.consumeString(40));
    }
    boolean inSection = false;
    while (data.remainingBytes() > 0) {
      int op = data.consumeInt(0, 4);
      if (op == 0 || !inSection) {
        String name = data.consumeString(20);
        try {
          b.section(name);
          inSection = true;
        } catch (IllegalArgumentException e) {
          continue; // documented: a name systemd would not read back
        }
        continue;
      }
      String key = data.consumeString(20);
      try {
        switch (op) {
          case 1 -> b.text(key, data.consumeString(80));
          case 2 -> b.plain(key, data.consumeString(80));
          case 3 -> b.units(key, unitNames(data));
          default -> b.exec(key, strings(data));
        }
      } catch (UnitException e) {
        Contract.oneLineMessage(e);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("invalid key "); // documented: keys are the caller's constants
      }
    }
    UnitFile f = b.build();
    String text = f.serialize();
    try {
      assertThat(UnitFile.parse(text).sections()).as("parse of %s", text).isEqualTo(f.sections());
    } catch (UnitException e) {
      throw new AssertionError("the builder's output " + text + " does not parse: " + e.getMessage(), e);
    }
  }

  private static List<UnitName> unitNames(FuzzedDataProvider data) {
    List<UnitName> out = new ArrayList<>();
    int n = data.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      try {
        out.add(UnitName.of(data.consumeString(30)));
      } catch (UnitException e) {
        Contract.oneLineMessage(e);
      }
    }
    return out;
  }

  private static List<String> strings(FuzzedDataProvider data) {
    List<String> out = new ArrayList<>();
    int n = data.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      out.add(data.consumeString(30));
    }
    return out;
  }
}
