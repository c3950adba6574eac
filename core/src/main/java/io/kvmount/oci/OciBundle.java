package io.kvmount.oci;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One OCI runtime bundle given to kvmount as an app of the pod: the app name it runs under, the
 * bundle directory and its parsed {@code config.json}.
 *
 * @param app the app name ({@code NAME} of {@code --oci-bundle NAME=DIR}); checked by the caller
 * @param dir the bundle directory, absolute and normalised; relative sources and {@code root.path}
 *     are relative to it
 * @param configFile the {@code config.json} that was read, as messages name it
 * @param config the parsed configuration
 */
public record OciBundle(String app, Path dir, Path configFile, OciConfig config) {
  /**
   * Checks for nulls.
   *
   * @param app the app name
   * @param dir the bundle directory
   * @param configFile the file read
   * @param config the configuration
   */
  public OciBundle {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(configFile, "configFile");
    Objects.requireNonNull(config, "config");
  }
}
