package io.kvmount;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.io.File;
import java.io.FileOutputStream;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of {@code core} as tests (house style §3.1, issue 18): each rule fails on the
 * first class that breaks it, naming the class, the dependency and the line.
 *
 * <p>The direction, bottom to top: {@code concurrent} and {@code digest} (helpers with no kvmount
 * dependency); {@code error}, {@code path}, {@code json} (format-neutral JSON reading), {@code systemd}, {@code
 * manifest}; then {@code plan}; then {@code apply}, {@code verify} and {@code hypervisor}; then
 * the facade {@link Kvmount} in {@code io.kvmount}. Beside them, {@code hostshare} (the host
 * mounts of the pod share) uses only {@code error}, {@code path}, {@code digest} and {@code
 * concurrent}. A package uses only packages below it, and
 * only those its layer lists below. The {@code cli} module is another module and sits above the
 * facade (its pom is the guard there: core cannot see picocli or the cli classes at all).
 *
 * <p>Main classes only: test classes are not imported (they may, say, write fixtures).
 */
class ArchitectureTest {

  private static final String ROOT = "io.kvmount";

  private static JavaClasses classes;

  @BeforeAll
  static void importCore() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
    // A rule over no classes passes: make sure the import found core's packages.
    assertThat(classes.containPackage(ROOT + ".plan")).isTrue();
    assertThat(classes.contain(Kvmount.class)).isTrue();
  }

  /**
   * Every package of {@code core} belongs to a layer, and each layer uses only the layers listed
   * for it.
   */
  @Test
  void packages_dependOnlyDownwards() {
    ArchRule rule =
        layeredArchitecture()
            .consideringOnlyDependenciesInAnyPackage(ROOT + "..")
            .withOptionalLayers(false)
            .layer("Concurrent").definedBy(ROOT + ".concurrent..")
            .layer("Digest").definedBy(ROOT + ".digest..")
            .layer("Error").definedBy(ROOT + ".error..")
            .layer("Path").definedBy(ROOT + ".path..")
            .layer("Json").definedBy(ROOT + ".json..")
            .layer("Systemd").definedBy(ROOT + ".systemd..")
            .layer("Manifest").definedBy(ROOT + ".manifest..")
            .layer("Oci").definedBy(ROOT + ".oci..")
            .layer("Plan").definedBy(ROOT + ".plan..")
            .layer("Apply").definedBy(ROOT + ".apply..")
            .layer("Sealed").definedBy(ROOT + ".sealed..")
            .layer("Verify").definedBy(ROOT + ".verify..")
            .layer("Hypervisor").definedBy(ROOT + ".hypervisor..")
            .layer("Hostshare").definedBy(ROOT + ".hostshare..")
            .layer("Facade").definedBy(ROOT)
            // A leaf every package may use (the one place that runs work in parallel).
            .whereLayer("Concurrent").mayNotAccessAnyLayer()
            .whereLayer("Digest").mayNotAccessAnyLayer()
            .whereLayer("Error").mayOnlyAccessLayers("Concurrent")
            .whereLayer("Path").mayOnlyAccessLayers("Error", "Concurrent")
            // Format-neutral: a second input format reuses it, so it knows no appc schema.
            .whereLayer("Json").mayOnlyAccessLayers("Error", "Concurrent")
            .whereLayer("Systemd").mayOnlyAccessLayers("Path", "Error", "Concurrent")
            .whereLayer("Manifest").mayOnlyAccessLayers("Json", "Path", "Error", "Concurrent")
            // The OCI bundle reader, beside the appc one (issue 20).
            .whereLayer("Oci").mayOnlyAccessLayers("Json", "Path", "Error", "Concurrent")
            .whereLayer("Plan")
            .mayOnlyAccessLayers("Manifest", "Oci", "Systemd", "Path", "Digest", "Error", "Concurrent")
            .whereLayer("Sealed")
            .mayOnlyAccessLayers("Plan", "Systemd", "Path", "Error", "Concurrent")
            .whereLayer("Apply")
            .mayOnlyAccessLayers("Plan", "Systemd", "Path", "Digest", "Error", "Concurrent")
            // verify may read apply's records (the state file has one owner: apply); it never
            // writes through apply (onlyApply_writesFiles and the facade's verify keep it so).
            .whereLayer("Verify")
            .mayOnlyAccessLayers("Apply", "Plan", "Systemd", "Path", "Digest", "Error", "Concurrent")
            .whereLayer("Hypervisor")
            .mayOnlyAccessLayers("Plan", "Systemd", "Path", "Error", "Concurrent")
            // The host side of the pod share: the caller turns the plan into its input, so it
            // knows no manifest, plan or apply (issue 19).
            .whereLayer("Hostshare").mayOnlyAccessLayers("Path", "Digest", "Error", "Concurrent")
            .whereLayer("Facade").mayNotBeAccessedByAnyLayer()
            // A new package must be placed in the list above, not slip past it.
            .ensureAllClassesAreContainedInArchitecture();
    rule.check(classes);
  }

  /** The manifest model is read before planning and knows nothing of it. */
  @Test
  void manifest_doesNotDependOnPlan() {
    noClasses()
        .that().resideInAPackage(ROOT + ".manifest..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".plan..")
        .check(classes);
  }

  /** The JSON cursor is format-neutral: no appc schema, no plan. */
  @Test
  void json_doesNotDependOnManifestOrPlan() {
    noClasses()
        .that().resideInAPackage(ROOT + ".json..")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".manifest..", ROOT + ".plan..")
        .allowEmptyShould(true) // until the package exists
        .check(classes);
  }

  /** No cycles among the top-level packages, nor among any two packages. */
  @Test
  void packages_areFreeOfCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
  }

  /** Methods of {@link Files} that create, change or remove a file or directory. */
  private static final Set<String> FILES_WRITES =
      Set.of(
          "write", "writeString", "newOutputStream", "newBufferedWriter", "createFile",
          "createDirectory", "createDirectories", "createTempFile", "createTempDirectory",
          "createLink", "createSymbolicLink", "delete", "deleteIfExists", "move", "copy",
          "setAttribute", "setPosixFilePermissions", "setOwner", "setLastModifiedTime");

  /** Methods of {@link File} that create, change or remove a file or directory. */
  private static final Set<String> FILE_WRITES =
      Set.of(
          "createNewFile", "createTempFile", "delete", "deleteOnExit", "mkdir", "mkdirs",
          "renameTo", "setExecutable", "setLastModified", "setReadOnly", "setReadable",
          "setWritable");

  /** Open options that let a channel write, create or delete. */
  private static final Set<String> WRITE_OPTIONS =
      Set.of("WRITE", "APPEND", "CREATE", "CREATE_NEW", "TRUNCATE_EXISTING", "DELETE_ON_CLOSE");

  private static final DescribedPredicate<JavaAccess<?>> WRITES_A_FILE =
      describe(
          "creates, changes or removes a file",
          access -> {
            String owner = access.getTargetOwner().getName();
            String name = access.getName();
            return owner.equals(Files.class.getName()) && FILES_WRITES.contains(name)
                || owner.equals(File.class.getName()) && FILE_WRITES.contains(name)
                || owner.equals(StandardOpenOption.class.getName()) && WRITE_OPTIONS.contains(name)
                // Opening one of these is writing (or may be: a FileChannel's options are not
                // visible here, so any open counts).
                || owner.equals(FileChannel.class.getName()) && name.equals("open")
                || owner.equals(AsynchronousFileChannel.class.getName()) && name.equals("open")
                || owner.equals(FileOutputStream.class.getName()) && name.equals("<init>")
                || owner.equals(FileWriter.class.getName()) && name.equals("<init>")
                || owner.equals(RandomAccessFile.class.getName()) && name.equals("<init>");
          });

  /**
   * Only {@code apply} writes files. The exceptions: {@code verify.SystemdAnalyze} copies the
   * units into a private temporary directory and deletes it again, because {@code
   * systemd-analyze verify} reads units only from files named as the units; it never writes the
   * stage1 rootfs (verify's promise, tested by VerifierTest). And {@code hostshare}, which writes
   * only on the host: the pod share's directory, its mount points and its records beside it,
   * never a stage1 rootfs (its own layer keeps it away from plan and apply).
   */
  @Test
  void onlyApply_writesFiles() {
    noClasses()
        .that().resideOutsideOfPackages(ROOT + ".apply..", ROOT + ".hostshare..")
        .and().doNotHaveFullyQualifiedName(ROOT + ".verify.SystemdAnalyze")
        .should().accessTargetWhere(WRITES_A_FILE)
        .check(classes);
  }

  /** A library prints nothing: the CLI owns stdout and stderr. */
  @Test
  void core_doesNotUseStandardStreams() {
    GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(classes);
  }

  /** core is below the CLI: no picocli, no cli classes. */
  @Test
  void core_doesNotDependOnTheCli() {
    noClasses()
        .should().dependOnClassesThat().resideInAnyPackage("picocli..", ROOT + ".cli..")
        .check(classes);
  }
}
