package dev.sieve.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sieve.http.BearerToken.Check;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class BearerTokenTest {

  private final BearerToken token = new BearerToken(new Password("s3cret-token"));

  @Test
  void acceptsOnlyTheExactTokenUnderTheBearerScheme() {
    assertThat(token.check("Bearer s3cret-token")).isEqualTo(Check.ACCEPTED);
    assertThat(token.check("bearer s3cret-token")).isEqualTo(Check.ACCEPTED);
    assertThat(token.check("Bearer s3cret-toke")).isEqualTo(Check.WRONG);
    assertThat(token.check("Bearer s3cret-token2")).isEqualTo(Check.WRONG);
    assertThat(token.check("Bearer ")).isEqualTo(Check.WRONG);
    assertThat(token.check("Basic czNjcmV0LXRva2Vu")).isEqualTo(Check.MISSING);
    assertThat(token.check(null)).isEqualTo(Check.MISSING);
  }

  @Test
  void withoutATokenDataEndpointsAreOff() {
    assertThat(new BearerToken(null).check("Bearer anything")).isEqualTo(Check.NOT_CONFIGURED);
    assertThat(new BearerToken(new Password("")).check("Bearer ")).isEqualTo(Check.NOT_CONFIGURED);
  }

  @Test
  void neverShowsTheToken() {
    assertThat(token.toString()).doesNotContain("s3cret");
  }
}
