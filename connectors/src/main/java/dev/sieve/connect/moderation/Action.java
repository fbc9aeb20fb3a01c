package dev.sieve.connect.moderation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sieve.avro.DuplicateFlag;
import dev.sieve.avro.ModerationHit;
import dev.sieve.avro.ModerationResult;
import java.util.Optional;
import java.util.Set;

/**
 * One action to POST: its JSON body and the idempotency key a receiver de-duplicates on (the
 * event id; {@code <event id>:duplicate} for a duplicate flag, so both actions of one event keep
 * apart).
 *
 * <p>Moderation body: {@code {"action":"moderation","eventId","verdict","labels":[..],
 * "scores":{label:score},"hits":[{"label","score","threshold","action"}],"attributes":{name:value},
 * "record":{"topic","partition","offset"}}}, the attributes being the original event's. Duplicate body: {@code {"action":"duplicate","eventId","kind",
 * "duplicateOf","similarity","scope","record":{..}}}.
 */
record Action(String idempotencyKey, String kind, byte[] body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the action came from, for the receiver's logs. */
  record Origin(String topic, int partition, long offset) {}

  /** The action for a verdict, if {@code verdicts} (and, when set, {@code labels}) select it. */
  static Optional<Action> of(ModerationResult result, Set<String> verdicts, Set<String> labels, Origin origin) {
    if (!verdicts.contains(result.getVerdict().name())) {
      return Optional.empty();
    }
    if (!labels.isEmpty() && result.getHits().stream().noneMatch(h -> labels.contains(h.getLabel()))) {
      return Optional.empty();
    }
    ObjectNode body = JSON.createObjectNode()
        .put("action", "moderation")
        .put("eventId", result.getEventId())
        .put("verdict", result.getVerdict().name());
    var labelList = body.putArray("labels");
    var scores = body.putObject("scores");
    var hits = body.putArray("hits");
    for (ModerationHit hit : result.getHits()) {
      labelList.add(hit.getLabel());
      scores.put(hit.getLabel(), hit.getScore());
      hits.addObject().put("label", hit.getLabel()).put("score", hit.getScore())
          .put("threshold", hit.getThreshold()).put("action", hit.getAction().name());
    }
    var attributes = body.putObject("attributes");
    result.getAttributes().forEach(attributes::put);
    return Optional.of(new Action(result.getEventId(), "moderation", bytes(body, origin)));
  }

  /** The action for a duplicate flag whose kind is among {@code kinds}. */
  static Optional<Action> of(DuplicateFlag flag, Set<String> kinds, Origin origin) {
    if (!flag.getIsDuplicate() || !kinds.contains(flag.getKind().name())) {
      return Optional.empty();
    }
    ObjectNode body = JSON.createObjectNode()
        .put("action", "duplicate")
        .put("eventId", flag.getEventId())
        .put("kind", flag.getKind().name())
        .put("duplicateOf", flag.getDuplicateOf())
        .put("similarity", flag.getSimilarity())
        .put("scope", flag.getScope());
    return Optional.of(new Action(flag.getEventId() + ":duplicate", "duplicate", bytes(body, origin)));
  }

  private static byte[] bytes(ObjectNode body, Origin origin) {
    body.putObject("record").put("topic", origin.topic()).put("partition", origin.partition())
        .put("offset", origin.offset());
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of plain values always serializes", e);
    }
  }
}
