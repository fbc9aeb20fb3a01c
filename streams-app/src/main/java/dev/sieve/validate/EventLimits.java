package dev.sieve.validate;

import dev.sieve.config.SieveConfig;

/**
 * Structural limits on an event, from {@code sieve.event.*} settings.
 *
 * @param maxRecordBytes largest input record decoded; a larger one is dead-lettered without its
 *     value, which would not fit the dead-letter topic either
 */
public record EventLimits(int maxParts, int maxTextChars, int maxIdLength, int maxRecordBytes) {

  public static EventLimits from(SieveConfig config) {
    return new EventLimits(
        config.getInt(SieveConfig.EVENT_MAX_PARTS),
        config.getInt(SieveConfig.EVENT_MAX_TEXT_CHARS),
        config.getInt(SieveConfig.EVENT_MAX_ID_LENGTH),
        config.getInt(SieveConfig.EVENT_MAX_BYTES));
  }
}
