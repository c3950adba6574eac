package io.kvmount.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** An image manifest's {@code annotations}: read in order, checked, and the Docker one found. */
class ImageAnnotationsTest {

  private static ImageManifest read(String annotations) throws ManifestException {
    return ManifestReader.readImage(("{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/x\","
        + "\"annotations\":" + annotations + "}").getBytes(StandardCharsets.UTF_8), "image.json");
  }

  @Test
  void dockerRepository_isTheAnnotationsValue() throws Exception {
    ImageManifest i = read("[{\"name\":\"created\",\"value\":\"2016\"},{\"name\":\"appc.io/docker/repository\","
        + "\"value\":\"library/redis\"}]");
    assertThat(i.dockerRepository()).hasValue("library/redis");
    assertThat(i.annotations()).containsExactly(java.util.Map.entry("created", "2016"),
        java.util.Map.entry("appc.io/docker/repository", "library/redis"));
    assertThat(read("[]").dockerRepository()).isEmpty();
    assertThat(read("null").annotations()).isEmpty();
    // Keys match case-insensitively, as every appc key; unknown keys are ignored.
    assertThat(read("[{\"Name\":\"appc.io/docker/repository\",\"VALUE\":\"r\",\"x\":1}]").dockerRepository())
        .hasValue("r");
  }

  @Test
  void malformedAnnotations_areRefusedNamingTheField() {
    assertThatThrownBy(() -> read("{}")).hasMessage("image.json: annotations: expected an array, got an object");
    assertThatThrownBy(() -> read("[{\"value\":\"v\"}]"))
        .hasMessage("image.json: annotations[0].name: missing required field (the annotation's name)");
    assertThatThrownBy(() -> read("[{\"name\":\"a\"}]"))
        .hasMessage("image.json: annotations[0].value: missing required field (the annotation's value, a string)");
    assertThatThrownBy(() -> read("[{\"name\":\"a\",\"value\":1}]"))
        .hasMessageStartingWith("image.json: annotations[0].value: expected a string");
    assertThatThrownBy(() -> read("[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"a\",\"value\":\"2\"}]"))
        .hasMessage("image.json: annotations[1].name: duplicate annotation \"a\"; appc allows each name once");
    assertThatThrownBy(() -> read("[{\"name\":\"Not An Identifier\",\"value\":\"v\"}]"))
        .hasMessageStartingWith("image.json: annotations[0].name: ");
  }
}
