package dev.sieve.http;

/**
 * A request the API answers with an error: the HTTP status, a stable kebab-case code and a message
 * for people, sent as {@code {"error": code, "message": message}}.
 */
final class ApiException extends RuntimeException {

  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  static ApiException notFound(String code, String message) {
    return new ApiException(404, code, message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(503, "not-ready", message);
  }
}
