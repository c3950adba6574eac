package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kvmount.path.GuestPath;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded generator of damaged manifests: the corpus files and a generated pod, truncated, with
 * bytes flipped, inserted, deleted and repeated, values swapped for other JSON types and for
 * hostile strings, and deep nesting spliced in. Whatever the input, the reader must end in a result
 * or a one-line {@link ManifestException}, never another exception, and within a bounded time;
 * every result it accepts must satisfy the documented invariants.
 *
 * <p>Each case's seed is in its display name; re-run one with {@code
 * -Dtest='ManifestReaderFuzzTest#*'} and the seed from the report.
 */
class ManifestReaderFuzzTest {

  private static final int CASES = 2000;
  private static final long BASE_SEED = 0x6b766d6f756e74L; // "kvmount"

  private static final List<String> POD_FILES =
      List.of(
          "corpus/appc-spec/pod_runtime.json",
          "corpus/appc-spec/v0.8.11/pod_runtime.json",
          "corpus/appc-spec/pod_template.json");
  private static final List<String> IMAGE_FILES =
      List.of(
          "corpus/appc-spec/image.json",
          "corpus/appc-spec/image_manifest_main.json",
          "corpus/appc-spec/image_manifest_sidekick.json");

  /** A pod using every field the reader knows, including appVolume, mode, uid, gid. */
  private static final String RICH_POD =
      "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":\"web\",\"app\":"
          + "{\"mountPoints\":[{\"name\":\"data\",\"path\":\"/var/data\",\"readOnly\":true}]},"
          + "\"mounts\":[{\"volume\":\"data\",\"path\":\"/srv\"},{\"path\":\"/cache\",\"appVolume\":"
          + "{\"name\":\"cache\",\"kind\":\"empty\",\"mode\":\"0700\",\"uid\":1000,\"gid\":1000}}]}],"
          + "\"volumes\":[{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/data\",\"readOnly\":false,"
          + "\"recursive\":true},{\"name\":\"tmp\",\"kind\":\"empty\"}]}";

  private static final String[] HOSTILE = {
    "\"\"",
    "\"a\\nb\"",
    "\"/a\\u0000b\"",
    "\"\\ud800\"",
    "\"/../../etc\"",
    "\"-x-\"",
    "\"ÄÖ\"",
    "\"/" + "x".repeat(300) + "\"",
    "\"0x1ff\"",
    "\"99999\"",
    "-1",
    "4294967295",
    "1e400",
    "1.5",
    "-0",
    "true",
    "null",
    "[]",
    "{}",
    "[[[[[[[[]]]]]]]]",
    "{\"a\":{\"a\":{}}}",
    "\"host\"",
    "\"empty\"",
    "\"/\"",
    "\"relative\"",
    "\"\\u2028\"",
    "\"" + "a".repeat(70_000) + "\"",
    "123456789012345678901234567890"
  };

  private static final byte[] NOISE =
      "{}[],:\"\\ 0123456789-+.eEtrufalsn/\n\t".getBytes(StandardCharsets.US_ASCII);

  static Stream<Long> seeds() {
    return IntStream.range(0, CASES).mapToObj(i -> BASE_SEED + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void damagedManifest_endsInResultOrManifestException(long seed) {
    Random random = new Random(seed);
    boolean image = random.nextInt(4) == 0;
    byte[] doc;
    if (image) {
      doc = Resources.bytes(IMAGE_FILES.get(random.nextInt(IMAGE_FILES.size())));
    } else if (random.nextBoolean()) {
      doc = RICH_POD.getBytes(StandardCharsets.UTF_8);
    } else {
      doc = Resources.bytes(POD_FILES.get(random.nextInt(POD_FILES.size())));
    }
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      doc = mutate(doc, random);
    }
    byte[] input = doc;

    Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          try {
            if (image) {
              checkInvariants(ManifestReader.readImage(input, "fuzz.json"));
            } else {
              checkInvariants(ManifestReader.readPod(input, "fuzz.json"));
            }
          } catch (ManifestException e) {
            assertThat(e.getMessage())
                .startsWith("fuzz.json: ")
                .doesNotContain("\n", "\r", "\u2028")
                .doesNotContain("StreamReadConstraints", "com.fasterxml", "REDACTED");
            assertThat(e.getMessage().length()).isLessThan(2000);
          } catch (Throwable t) {
            fail("seed " + seed + ": " + t + " for input " + preview(input), t);
          }
        },
        "seed " + seed);
  }

  /** The generator is not vacuous: it yields accepted and rejected inputs, for many reasons. */
  @Test
  void generator_producesBothOutcomesAndManyReasons() {
    int accepted = 0;
    Set<String> reasons = new HashSet<>();
    for (long seed : seeds().limit(1000).toArray(Long[]::new)) {
      Random random = new Random(seed);
      byte[] doc = RICH_POD.getBytes(StandardCharsets.UTF_8);
      doc = mutate(doc, random);
      try {
        ManifestReader.readPod(doc, "fuzz.json");
        accepted++;
      } catch (ManifestException e) {
        reasons.add(e.reason().replaceAll("[0-9]+", "N").replaceAll("\"[^\"]*\"", "Q"));
      }
    }
    assertThat(accepted).isBetween(20, 700);
    assertThat(reasons.size()).isGreaterThan(40);
  }

  private static void checkInvariants(PodManifest pod) {
    Set<String> apps = new HashSet<>();
    Set<String> volumes = new HashSet<>();
    for (Volume v : pod.volumes()) {
      assertThat(volumes.add(v.name().value())).as("unique volume %s", v.name()).isTrue();
    }
    for (RuntimeApp app : pod.apps()) {
      assertThat(apps.add(app.name().value())).as("unique app %s", app.name()).isTrue();
      for (Mount m : app.mounts()) {
        plannable(m.path());
        assertThat(m.appVolume().isPresent() || volumes.contains(m.volume().value())).isTrue();
      }
      app.mountPoints().ifPresent(list -> list.forEach(mp -> plannable(mp.path())));
    }
  }

  /**
   * A path the reader accepts is one the planner can read: relative ones from the app's root, and
   * {@code ..} cleaned lexically (issue 24); an absolute one without {@code ..} is what {@link
   * GuestPath#parse} gives.
   */
  private static void plannable(String path) {
    GuestPath lexical = io.kvmount.plan.ConfinedResolver.lexical(path);
    if (path.startsWith("/") && !java.util.Arrays.asList(path.split("/")).contains("..")) {
      assertThat(GuestPath.parse(path)).isEqualTo(lexical);
    }
  }

  private static void checkInvariants(ImageManifest image) {
    assertThat(image.name()).isNotEmpty();
    image.mountPoints().forEach(mp -> plannable(mp.path()));
  }

  static byte[] mutate(byte[] doc, Random r) {
    int n = doc.length;
    int at = n == 0 ? 0 : r.nextInt(n);
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 64);
    switch (r.nextInt(9)) {
      case 0: // truncate
        out.write(doc, 0, at);
        break;
      case 1: // flip one byte to anything, including invalid UTF-8 and control bytes
        out.write(doc, 0, n);
        byte[] b = out.toByteArray();
        if (n > 0) {
          b[at] = (byte) r.nextInt(256);
        }
        return b;
      case 2: // insert JSON punctuation or keywords
        out.write(doc, 0, at);
        for (int i = 1 + r.nextInt(4); i > 0; i--) {
          out.write(NOISE[r.nextInt(NOISE.length)]);
        }
        out.write(doc, at, n - at);
        break;
      case 3: // delete a span
        int len = Math.min(n - at, 1 + r.nextInt(20));
        out.write(doc, 0, at);
        out.write(doc, at + len, n - at - len);
        break;
      case 4: // repeat a span (duplicate keys, elements)
        int dl = Math.min(n - at, 1 + r.nextInt(60));
        out.write(doc, 0, at + dl);
        out.write(doc, at, n - at);
        break;
      case 5: // replace the value after a random ':' with a hostile value
      case 6:
        int colon = indexOf(doc, (byte) ':', at);
        if (colon < 0) {
          return doc;
        }
        int end = valueEnd(doc, colon + 1);
        out.write(doc, 0, colon + 1);
        byte[] v = HOSTILE[r.nextInt(HOSTILE.length)].getBytes(StandardCharsets.UTF_8);
        out.write(v, 0, v.length);
        out.write(doc, end, n - end);
        break;
      case 7: // splice deep nesting
        int depth = 1 + r.nextInt(2 * ManifestReader.MAX_DEPTH);
        out.write(doc, 0, at);
        byte[] deep = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
        out.write(deep, 0, deep.length);
        out.write(doc, at, n - at);
        break;
      default: // random multi-byte UTF-8 or a raw non-ASCII byte
        out.write(doc, 0, at);
        byte[] u =
            new String(Character.toChars(0x80 + r.nextInt(0x10000 - 0x80)))
                .getBytes(StandardCharsets.UTF_8);
        out.write(u, 0, r.nextBoolean() ? u.length : Math.max(1, u.length - 1));
        out.write(doc, at, n - at);
        break;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] doc, byte b, int from) {
    for (int i = from; i < doc.length; i++) {
      if (doc[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Rough end of a scalar value starting at {@code from}: the next ',', '}' or ']'. */
  private static int valueEnd(byte[] doc, int from) {
    boolean inString = false;
    for (int i = from; i < doc.length; i++) {
      byte c = doc[i];
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == ',' || c == '}' || c == ']') {
        return i;
      }
    }
    return doc.length;
  }

  private static String preview(byte[] input) {
    String s = new String(input, StandardCharsets.UTF_8);
    return Text.quote(s.length() > 300 ? s.substring(0, 300) : s);
  }
}
