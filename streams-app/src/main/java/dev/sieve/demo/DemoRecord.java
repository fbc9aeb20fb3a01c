package dev.sieve.demo;

import dev.sieve.avro.MediaEvent;

/**
 * One record the demo produces to the events topic: an event to be Avro-encoded, or raw bytes
 * sent as they are (to show how Sieve treats records that are not Avro).
 */
public record DemoRecord(String id, MediaEvent event, byte[] raw) {

  public static DemoRecord event(MediaEvent event) {
    return new DemoRecord(event.getId(), event, null);
  }

  public static DemoRecord raw(String id, byte[] bytes) {
    return new DemoRecord(id, null, bytes);
  }
}
