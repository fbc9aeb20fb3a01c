package dev.sieve.cli;

public final class SieveCommand {
  public static void main(String[] args) {}
}
