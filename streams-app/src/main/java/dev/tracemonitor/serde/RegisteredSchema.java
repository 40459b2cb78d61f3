package dev.tracemonitor.serde;

import org.apache.avro.Schema;

/** A schema as registered under a subject: its global id, its version within the subject, and the schema itself. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
}
