package io.kvmount.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the systemd toolkit lands (issue 3). */
@Command(name = "escape", description = "Escape strings for systemd unit names (like systemd-escape).")
final class EscapeCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("escape is being implemented");
  }
}
