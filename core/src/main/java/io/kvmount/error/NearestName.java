package io.kvmount.error;

import java.util.Collection;
import java.util.Optional;

/**
 * Finds the name a user most likely meant when they wrote one that is not declared ({@code
 * "upload"} for a volume {@code "uploads"}), for a message's "did you mean" hint. Stateless.
 *
 * <p>Distance is the optimal string alignment distance (Levenshtein with adjacent transpositions),
 * counted in UTF-16 code units and ignoring case. A name is suggested only when it is close enough
 * to be a slip rather than another name: at most {@code 1} edit for names of up to 4 characters,
 * {@code 2} up to 8, {@code 3} beyond, and fewer edits than the longer name has characters. On a
 * tie the first name in {@code candidates}' order wins, so the hint is deterministic.
 */
public final class NearestName {

  /** Names longer than this (in characters) are not compared: a hint is not worth the time. */
  static final int MAX_COMPARED_CHARS = 256;

  private NearestName() {}

  /**
   * The declared name closest to {@code given}, if one is close enough.
   *
   * @param given the name the input used
   * @param candidates the names it may have meant, in declaration order
   * @return the nearest candidate, or empty when none is close enough (or {@code given} is one of
   *     them exactly)
   */
  public static Optional<String> of(String given, Collection<String> candidates) {
    if (given.isEmpty() || given.length() > MAX_COMPARED_CHARS) {
      return Optional.empty();
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      if (c.equals(given)) {
        return Optional.empty();
      }
      if (c.isEmpty() || c.length() > MAX_COMPARED_CHARS) {
        continue;
      }
      int limit = limit(Math.max(given.length(), c.length()));
      if (Math.abs(given.length() - c.length()) > limit) {
        continue;
      }
      int d = distance(given.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d <= limit && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The hint for a message: {@code "; did you mean \"uploads\"?"}, or {@code ""} when no declared
   * name is close enough.
   *
   * @param given the name the input used
   * @param candidates the names it may have meant, in declaration order
   * @return the hint, starting with {@code "; "}, or the empty string
   */
  public static String hint(String given, Collection<String> candidates) {
    return of(given, candidates).map(n -> "; did you mean \"" + n + "\"?").orElse("");
  }

  /** Most edits still read as a slip, for a name of {@code length} characters. */
  private static int limit(int length) {
    int byLength = length <= 4 ? 1 : length <= 8 ? 2 : 3;
    return Math.min(byLength, length - 1);
  }

  /** Optimal string alignment distance of two strings. */
  static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[] prev2 = new int[m + 1];
    int[] prev = new int[m + 1];
    int[] cur = new int[m + 1];
    for (int j = 0; j <= m; j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= n; i++) {
      cur[0] = i;
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int d = Math.min(Math.min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d = Math.min(d, prev2[j - 2] + 1);
        }
        cur[j] = d;
      }
      int[] t = prev2;
      prev2 = prev;
      prev = cur;
      cur = t;
    }
    return prev[m];
  }
}
