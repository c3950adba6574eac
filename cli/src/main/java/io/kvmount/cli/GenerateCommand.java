package io.kvmount.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until generate lands (issue 2). */
@Command(name = "generate", description = "Write mount units for a pod and print hypervisor arguments.")
final class GenerateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new IllegalStateException("generate is being implemented");
  }
}
