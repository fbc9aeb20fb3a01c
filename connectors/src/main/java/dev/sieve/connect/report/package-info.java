/** Problems with single inputs (files), reported to the log and a topic instead of failing a task. */
package dev.sieve.connect.report;
