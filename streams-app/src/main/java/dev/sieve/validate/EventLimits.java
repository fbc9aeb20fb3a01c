package dev.sieve.validate;

import dev.sieve.config.SieveConfig;

/** Structural limits on an event, from {@code sieve.event.*} settings. */
public record EventLimits(int maxParts, int maxTextChars, int maxIdLength) {

  public static EventLimits from(SieveConfig config) {
    return new EventLimits(
        config.getInt(SieveConfig.EVENT_MAX_PARTS),
        config.getInt(SieveConfig.EVENT_MAX_TEXT_CHARS),
        config.getInt(SieveConfig.EVENT_MAX_ID_LENGTH));
  }
}
