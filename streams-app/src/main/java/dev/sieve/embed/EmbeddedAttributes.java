package dev.sieve.embed;

import java.util.List;

/**
 * The event attributes that belong to a content: they are embedded with its parts and covered by
 * its {@link ContentHash}. Other attributes (ids, tenants, timestamps) describe the event, not the
 * content.
 */
public final class EmbeddedAttributes {

  public static final String TITLE = "title";
  public static final String CAPTION = "caption";

  /** The embedded attributes in the order they are embedded and hashed. */
  public static final List<String> KEYS = List.of(TITLE, CAPTION);

  private EmbeddedAttributes() {}
}
