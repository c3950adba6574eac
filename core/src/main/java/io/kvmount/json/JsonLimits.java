package io.kvmount.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * The resource limits a reader enforces on the documents of one format, and the Jackson factory
 * that parses them. {@link JsonCursor} checks the limits itself, before Jackson would, so that
 * every failure has kvmount's message and a field path; Jackson's own limits in the factory are
 * backstops only. Immutable and thread-safe; make one per format and keep it for the process (a
 * factory is costly to build and safe to share).
 */
public final class JsonLimits {

  private final int maxDocumentBytes;
  private final int maxDepth;
  private final int maxStringLength;
  private final JsonFactory factory;

  /**
   * Creates the limits and their factory.
   *
   * @param maxDocumentBytes largest accepted document, in bytes
   * @param maxDepth deepest accepted nesting of arrays and objects, the top-level value counting as
   *     1
   * @param maxStringLength longest accepted string or object key, in characters (UTF-16 code units)
   */
  public JsonLimits(int maxDocumentBytes, int maxDepth, int maxStringLength) {
    this.maxDocumentBytes = maxDocumentBytes;
    this.maxDepth = maxDepth;
    this.maxStringLength = maxStringLength;
    // Strings and numbers are bounded by the document size; the nesting limit is one above ours
    // so that our check sees the offending level.
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxDocumentLength(maxDocumentBytes)
                    .maxNestingDepth(maxDepth + 1)
                    .maxStringLength(maxDocumentBytes)
                    .maxNameLength(maxDocumentBytes)
                    .maxNumberLength(maxDocumentBytes)
                    .build())
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CHARSET_DETECTION)
            .build();
  }

  /**
   * Returns the largest accepted document.
   *
   * @return bytes
   */
  public int maxDocumentBytes() {
    return maxDocumentBytes;
  }

  /**
   * Returns the deepest accepted nesting.
   *
   * @return levels of arrays and objects, the top-level value counting as 1
   */
  public int maxDepth() {
    return maxDepth;
  }

  /**
   * Returns the longest accepted string or object key.
   *
   * @return characters (UTF-16 code units)
   */
  public int maxStringLength() {
    return maxStringLength;
  }

  /**
   * Returns the Jackson factory for these documents: streaming parser only, no source in locations,
   * no interned names, no charset detection (the bytes are UTF-8, {@link JsonBytes} checks them).
   *
   * @return the factory, shared
   */
  public JsonFactory factory() {
    return factory;
  }
}
