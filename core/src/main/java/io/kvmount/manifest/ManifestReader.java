package io.kvmount.manifest;

import io.kvmount.json.JsonLimits;

/**
 * Reads appc pod and image manifests (JSON, UTF-8) into the {@link PodManifest} and {@link
 * ImageManifest} records, checking everything kvmount relies on and naming the field of every
 * problem ({@code apps[1].mounts[0].path}).
 *
 * <p>Decoding follows appc's Go schema code (v0.7.1 as vendored by rkt v0.10, and v0.8.11) where
 * that is safe: unknown keys are ignored (appc has many: {@code isolators}, {@code exec}, ...), known keys match case-insensitively, and JSON {@code null} means "not set".
 * It is deliberately stricter where appc lets through input that later breaks or silently weakens a
 * mount:
 *
 * <ul>
 *   <li>the whole document must be well-formed JSON in UTF-8 without a byte order mark, and no
 *       object may repeat a key (also not two spellings of one known key such as {@code readOnly}
 *       and {@code readonly}); appc keeps the last one;
 *   <li>mount points and mounts need a name/volume and a non-empty path (a relative path and
 *       {@code ..} are read by the planner, inside the app rootfs); names, paths and sources must
 *       not contain control characters (0x00-0x1f, 0x7f) or unpaired surrogates;
 *   <li>an image manifest's {@code annotations} must be objects with an AC Identifier {@code name},
 *       each name once, and a string {@code value} (the Docker annotation changes what kvmount
 *       does, {@link ImageManifest#dockerRepository()});
 *   <li>an empty volume's {@code mode} must be octal text up to {@code 07777}, {@code uid} and
 *       {@code gid} integers from 0 to 4294967294;
 *   <li>a mount without {@code appVolume} must name a volume declared in {@code volumes}; volume
 *       names are unique (appc v0.8.11 rule), also against mounts' {@code appVolume}s of another
 *       definition; one app must not have two mounts on the same (normalised) path;
 *   <li>{@code acVersion} must be strict Semantic Versioning 2.0.0.
 * </ul>
 *
 * <p>Like appc, it accepts: ACNames with {@code --} inside and of any length, host sources with
 * {@code ..} components, {@code recursive} on an empty volume (ignored), an empty {@code source}
 * on an empty volume, two mount points of one app with the same name, and a pod without {@code
 * acVersion} (then {@link PodManifest#acVersion()} is {@code ""}).
 *
 * <p>And deliberately more lenient: fields kvmount does not use (image ids, labels, a pod's
 * annotations, {@code exec}, {@code user}, {@code group}, ...) are only checked for being well-formed JSON.
 *
 * <p>Resource limits, all checked before or while parsing, so that any input ends in a result or a
 * {@link ManifestException} in time roughly linear in its size: {@link #MAX_DOCUMENT_BYTES}, {@link
 * #MAX_DEPTH}, {@link #MAX_STRING_LENGTH}, {@link #MAX_APPS}, {@link #MAX_VOLUMES}, {@link
 * #MAX_MOUNTS_PER_APP}, {@link #MAX_MOUNT_POINTS_PER_APP}, {@link #MAX_ANNOTATIONS}.
 *
 * <p>Uses Jackson's streaming parser (one {@code JsonFactory} for the process), no data binding, so
 * that reading adds little start-up time. Thread-safe: the methods keep no state between calls.
 */
public final class ManifestReader {

  /** Largest accepted document: 64 MiB (67108864 bytes). */
  public static final int MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

  /**
   * Deepest accepted nesting of JSON arrays and objects, counting the top-level object as 1. A pod
   * manifest with isolators needs about 8.
   */
  public static final int MAX_DEPTH = 64;

  /** Longest accepted JSON string or object key, in characters (UTF-16 code units): 65536. */
  public static final int MAX_STRING_LENGTH = 64 * 1024;

  /** Most apps in one pod manifest. */
  public static final int MAX_APPS = 10_000;

  /** Most volumes in one pod manifest's {@code volumes}. */
  public static final int MAX_VOLUMES = 10_000;

  /** Most pod-level mounts ({@code apps[].mounts}) of one app. */
  public static final int MAX_MOUNTS_PER_APP = 10_000;

  /** Most mount points ({@code app.mountPoints}) of one app or image. */
  public static final int MAX_MOUNT_POINTS_PER_APP = 10_000;

  /** Most annotations of one image manifest. */
  public static final int MAX_ANNOTATIONS = 10_000;

  /**
   * The first three limits above, which the JSON cursor checks (the others are the schema
   * reader's), and the Jackson factory for manifests, one for the process.
   */
  static final JsonLimits LIMITS = new JsonLimits(MAX_DOCUMENT_BYTES, MAX_DEPTH, MAX_STRING_LENGTH);

  private ManifestReader() {}

  /**
   * Reads a pod manifest.
   *
   * @param json the document, UTF-8 JSON of at most {@link #MAX_DOCUMENT_BYTES} bytes
   * @param source where it came from, used as the first part of error messages (such as the file
   *     name {@code "pod.json"})
   * @return the pod manifest; its app names and volume names are unique and each mount names a
   *     declared volume or carries its own {@code appVolume}
   * @throws ManifestException if the document is not well-formed JSON, exceeds a limit, is not a
   *     pod manifest ({@code "acKind": "PodManifest"}), or breaks a rule listed in the class
   *     description; the message names the field
   */
  public static PodManifest readPod(byte[] json, String source) throws ManifestException {
    return new SchemaReader(json, source).readPod();
  }

  /**
   * Reads an image manifest.
   *
   * @param json the document, UTF-8 JSON of at most {@link #MAX_DOCUMENT_BYTES} bytes
   * @param source where it came from, used as the first part of error messages
   * @return the image name and mount points
   * @throws ManifestException if the document is not well-formed JSON, exceeds a limit, is not an
   *     image manifest ({@code "acKind": "ImageManifest"}, {@code acVersion} and {@code name}
   *     required), or a mount point breaks a rule listed in the class description
   */
  public static ImageManifest readImage(byte[] json, String source) throws ManifestException {
    return new SchemaReader(json, source).readImage();
  }
}
