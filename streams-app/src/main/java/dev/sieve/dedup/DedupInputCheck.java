package dev.sieve.dedup;

import dev.sieve.avro.EmbeddedMedia;
import dev.sieve.deadletter.Rejection;
import dev.sieve.deadletter.Rejection.Stage;
import dev.sieve.embed.LexicalSignature;
import dev.sieve.topology.Outcome;
import dev.sieve.topology.Outcome.Step;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks an embedded event before it enters the index, normalises its vector and computes its
 * cells. Rejected, with stage {@code dedup}:
 * <ul>
 *   <li>{@code vector-dimension-mismatch}: the vector's length is not its space's dimensions;
 *   <li>{@code vector-not-finite}: a component is NaN or infinite;
 *   <li>{@code vector-zero-norm}: the vector is all zeros (it has no direction to compare);
 *   <li>{@code older-than-horizon}: {@code occurredAt} lies more than the horizon before the
 *       record's timestamp; its possible originals may already be purged, so no flag for it
 *       could be trusted;
 *   <li>{@code lexical-signature-length}: a lexical signature is present but does not have
 *       {@link LexicalSignature#LENGTH} values (written by another producer or version).
 * </ul>
 * With the lexical signal on, a text's signature and its {@link LexicalBands} go with the event.
 * A missing or empty scope is the global scope ({@code ""} in the index, null on the flag).
 */
final class DedupInputCheck extends ContextualFixedKeyProcessor<String, Outcome<EmbeddedMedia>, Outcome<Probe>> {

  private final DedupSettings settings;
  private final CellRouter router;

  DedupInputCheck(DedupSettings settings) {
    this.settings = settings;
    this.router = new CellRouter(settings);
  }

  @Override
  public void process(FixedKeyRecord<String, Outcome<EmbeddedMedia>> record) {
    long timestamp = record.timestamp();
    context().forward(record.withValue(record.value().then(media -> check(media, timestamp))));
  }

  Step<Probe> check(EmbeddedMedia media, long timestamp) {
    List<Float> vector = media.getVector();
    int dimensions = media.getSpace().getDimensions();
    if (vector.size() != dimensions) {
      return reject("vector-dimension-mismatch", "vector has " + vector.size()
          + " components, its space " + CellRouter.spaceKey(media.getSpace()) + " has " + dimensions);
    }
    float[] unit = new float[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      float v = vector.get(i);
      if (!Float.isFinite(v)) {
        return reject("vector-not-finite", "component " + i + " is " + v);
      }
      unit[i] = v;
      norm += (double) v * v;
    }
    if (!Double.isFinite(norm)) {
      return reject("vector-not-finite", "the vector's norm overflows a double");
    }
    if (norm == 0) {
      return reject("vector-zero-norm", "the vector has no direction (norm " + Math.sqrt(norm) + ")");
    }
    if (media.getOccurredAt().toEpochMilli() < timestamp - settings.horizonMillis()) {
      return reject("older-than-horizon", "occurredAt " + media.getOccurredAt() + " is more than "
          + settings.horizon() + " before the record's timestamp " + timestamp);
    }
    List<Integer> signature = media.getLexicalSignature();
    if (signature != null && signature.size() != LexicalSignature.LENGTH) {
      return reject("lexical-signature-length", "lexical signature has " + signature.size()
          + " values, expected " + LexicalSignature.LENGTH);
    }
    float inverse = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimensions; i++) {
      unit[i] *= inverse;
    }
    String space = CellRouter.spaceKey(media.getSpace());
    String scope = media.getScope() == null ? "" : media.getScope();
    int[] lexical = new int[0];
    int[] bands = new int[0];
    if (signature != null && settings.lexical().enabled()) {
      int[] full = signature.stream().mapToInt(Integer::intValue).toArray();
      bands = LexicalBands.of(full);
      lexical = LexicalBands.stored(full);
    }
    return Step.of(new Probe(media.getId(), scope, space, media.getOccurredAt().toEpochMilli(), media.getContentHash(),
        unit, router.cells(space, unit), lexical, bands, Probe.EXACT_ROUTE));
  }

  private static Step<Probe> reject(String reason, String message) {
    return Step.reject(new Rejection(Stage.DEDUP, reason, message));
  }
}
