package io.kvmount.oci;

import io.kvmount.json.JsonLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads an OCI runtime bundle's {@code config.json} (JSON, UTF-8; runtime-spec 1.0.0 to 1.3.x)
 * into the {@link OciConfig} record, checking everything kvmount relies on and naming the field of
 * every problem ({@code mounts[3].options[1]}).
 *
 * <p>Decoding follows the runtime-spec's Go types (specs-go/config.go, read by runc and Kata with
 * Go's encoding/json) where that is safe: unknown keys are skipped ({@code process}, {@code
 * hostname}, {@code linux}, {@code annotations}, {@code hooks}, ...), known keys match
 * case-insensitively, and JSON {@code null} means "not set". It is deliberately stricter where Go
 * lets through input that later breaks or silently changes a mount:
 *
 * <ul>
 *   <li>the whole document must be well-formed JSON in UTF-8 without a byte order mark, also
 *       inside the skipped keys, and no object may repeat a key (also not two spellings of one
 *       known key such as {@code readonly} and {@code readOnly}); Go keeps the last one;
 *   <li>{@code ociVersion} is required and must be a semantic version with major version 1 (a
 *       pre-release or build suffix such as {@code 1.0.2-dev} is fine); a minor version above 3 is
 *       read, with a warning in {@link OciConfig#warnings()};
 *   <li>{@code root} is required (as on Linux) and {@code root.path} is a non-empty string;
 *   <li>each mount needs a non-empty {@code destination}; {@code destination}, {@code source},
 *       {@code type}, each option and {@code root.path} must not contain control characters
 *       (0x00-0x1f, 0x7f) or unpaired surrogates; {@code null} elements of arrays are refused;
 *   <li>{@code uidMappings} and {@code gidMappings} come together or not at all, and each entry
 *       has {@code containerID}, {@code hostID} and {@code size}, integers from 0 to 4294967295.
 * </ul>
 *
 * <p>What a mount means is the planner's business, not this reader's: relative destinations
 * (deprecated but allowed since runtime-spec 1.2.0), {@code ..} components, unknown types and
 * options are all read as written.
 *
 * <p>Resource limits, all checked before or while parsing, so that any input ends in a result or
 * an {@link OciException} in time roughly linear in its size: {@link #MAX_DOCUMENT_BYTES}, {@link
 * #MAX_DEPTH}, {@link #MAX_STRING_LENGTH}, {@link #MAX_MOUNTS}, {@link #MAX_OPTIONS_PER_MOUNT},
 * {@link #MAX_ID_MAPPINGS}.
 *
 * <p>Uses the format-neutral JSON cursor of {@code io.kvmount.json} (Jackson's streaming parser),
 * as the appc reader does, so messages look the same for both formats. Thread-safe: the methods
 * keep no state between calls.
 */
public final class OciReader {

  /** Largest accepted document: 64 MiB (67108864 bytes), as for appc manifests. */
  public static final int MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

  /**
   * Deepest accepted nesting of JSON arrays and objects, counting the top-level object as 1. The
   * known parts need 4 ({@code mounts[0].uidMappings[0]}); {@code linux.resources} about 5.
   */
  public static final int MAX_DEPTH = 64;

  /** Longest accepted JSON string or object key, in characters (UTF-16 code units): 65536. */
  public static final int MAX_STRING_LENGTH = 64 * 1024;

  /** Most entries in {@code mounts}. */
  public static final int MAX_MOUNTS = 10_000;

  /** Most entries in one mount's {@code options}. */
  public static final int MAX_OPTIONS_PER_MOUNT = 1_000;

  /**
   * Most entries in one mount's {@code uidMappings} or {@code gidMappings} (Linux takes at most
   * 340 extents per id map; this bounds only what is read).
   */
  public static final int MAX_ID_MAPPINGS = 1_000;

  /** The name of {@code config.json} in a bundle directory (runtime-spec bundle.md). */
  public static final String CONFIG_FILE = "config.json";

  /** The format's name in messages that name it. */
  static final String FORMAT = "OCI runtime-spec";

  /** The first three limits above, which the JSON cursor checks, and the Jackson factory. */
  static final JsonLimits LIMITS = new JsonLimits(MAX_DOCUMENT_BYTES, MAX_DEPTH, MAX_STRING_LENGTH);

  private OciReader() {}

  /**
   * Reads a {@code config.json} document.
   *
   * @param json the document, UTF-8 JSON of at most {@link #MAX_DOCUMENT_BYTES} bytes
   * @param source where it came from, used as the first part of error messages and warnings (such
   *     as the file name {@code "config.json"})
   * @return the configuration: version, root, mounts in listed order, and warnings
   * @throws OciException if the document is not well-formed JSON, exceeds a limit, or breaks a rule
   *     listed in the class description; the message names the field
   */
  public static OciConfig read(byte[] json, String source) throws OciException {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(source, "source");
    return new ConfigReader(json, source).read();
  }

  /**
   * Reads an OCI bundle: its directory's {@code config.json} (runtime-spec bundle.md). Messages
   * about the document name the file by its absolute path.
   *
   * @param app the app name the bundle runs under in the pod; not checked here
   * @param bundleDir the bundle directory, absolute or relative to the working directory; made
   *     absolute and normalised
   * @return the bundle: app, absolute directory, the file read and its configuration
   * @throws OciException if the directory does not exist or is not a directory, {@code
   *     config.json} is missing or not a regular file (symbolic links are followed), it is larger
   *     than {@link #MAX_DOCUMENT_BYTES}, or its content is refused by {@link #read}
   * @throws IOException if the directory or file exists but cannot be read
   */
  public static OciBundle readBundle(String app, Path bundleDir) throws OciException, IOException {
    Objects.requireNonNull(app, "app");
    Path dir = bundleDir.toAbsolutePath().normalize();
    if (!Files.exists(dir)) {
      throw new OciException(
          dir.toString(),
          "",
          "no such bundle directory (pass the directory that holds the bundle's config.json)");
    }
    if (!Files.isDirectory(dir)) {
      throw new OciException(
          dir.toString(),
          "",
          "not a directory (pass the bundle directory that holds config.json, not a file in it)");
    }
    Path file = dir.resolve(CONFIG_FILE);
    String source = file.toString();
    if (!Files.exists(file)) {
      throw new OciException(
          source,
          "",
          Files.isSymbolicLink(file)
              ? "a symbolic link to a missing file (config.json must be the bundle's JSON"
                  + " document)"
              : "no such file (an OCI bundle directory holds config.json; \"runc spec\" writes"
                  + " one)");
    }
    if (!Files.isRegularFile(file)) {
      throw new OciException(
          source, "", "not a regular file (config.json must be a file holding the JSON document)");
    }
    byte[] json;
    try (InputStream in = Files.newInputStream(file)) {
      json = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
    }
    if (json.length > MAX_DOCUMENT_BYTES) {
      throw new OciException(
          source,
          "",
          "document of "
              + Files.size(file)
              + " bytes is larger than the limit of "
              + MAX_DOCUMENT_BYTES
              + " bytes");
    }
    return new OciBundle(app, dir, file, read(json, source));
  }
}
