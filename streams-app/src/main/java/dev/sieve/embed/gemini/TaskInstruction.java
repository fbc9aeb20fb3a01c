package dev.sieve.embed.gemini;

/**
 * Folds the task into the text, as Google documents it for Gemini Embedding 2 (the model ignores
 * {@code taskType}). The template holds {@value #CONTENT}, replaced by the content's text, and may
 * hold {@value #TITLE}, replaced by the {@code title} attribute or {@code none}; e.g. {@code task:
 * classification | query: {content}} or {@code title: {title} | text: {content}}. The same
 * template is used for events and label examples, and it is recorded in the model space.
 */
final class TaskInstruction {

  static final String CONTENT = "{content}";
  static final String TITLE = "{title}";

  private final String template;

  TaskInstruction(String template) {
    validate(GeminiSettings.INSTRUCTION, template);
    this.template = template;
  }

  static void validate(String setting, String template) {
    if (template == null || template.indexOf(CONTENT) < 0 || template.indexOf(CONTENT) != template.lastIndexOf(CONTENT)) {
      throw new IllegalArgumentException(setting + " must contain " + CONTENT + " exactly once, was '" + template + "'");
    }
  }

  boolean takesTitle() {
    return template.contains(TITLE);
  }

  String template() {
    return template;
  }

  /** The instruction without the content: what it costs in tokens. */
  String overhead(String title) {
    return apply(title, "");
  }

  /** Placeholders are replaced in the template only, never inside the title or content. */
  String apply(String title, String content) {
    String shownTitle = title == null || title.isBlank() ? "none" : title;
    int at = template.indexOf(CONTENT);
    return template.substring(0, at).replace(TITLE, shownTitle) + content
        + template.substring(at + CONTENT.length()).replace(TITLE, shownTitle);
  }
}
